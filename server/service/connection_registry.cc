#include "server/service/connection_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/service/connection_id.h"
#include "stack/host/host.h"

namespace tcpaas::server {

ConnectionRegistry::ConnectionRegistry(size_t limit, IdSource ids)
    : limit_(limit), ids_(ids != nullptr ? std::move(ids) : IdSource(NewConnectionId)) {}

ConnectionRegistry::~ConnectionRegistry() = default;

absl::StatusOr<ConnectionEntry*> ConnectionRegistry::Add(tcp::ConnId conn,
                                                         ConnectionDirection direction) {
  if (full()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("connection limit reached: ", limit_,
                     " connections are open (close some, or raise --max_connections)"));
  }
  if (by_conn_.contains(conn)) {
    return absl::AlreadyExistsError(absl::StrCat("stack handle ", conn.packed(), " has an id"));
  }
  std::string id = ids_();
  // 128 random bits do not collide; a test id source might.
  if (by_id_.contains(id)) return absl::InternalError(absl::StrCat("id ", id, " is in use"));
  auto entry = std::make_unique<ConnectionEntry>();
  entry->id = id;
  entry->conn = conn;
  entry->direction = direction;
  entry->sequence = next_sequence_++;
  ConnectionEntry* raw = entry.get();
  by_id_.emplace(std::move(id), std::move(entry));
  by_conn_.emplace(conn, raw);
  return raw;
}

ConnectionEntry* ConnectionRegistry::Find(absl::string_view id) const {
  // absl::string_view may not be absl::string_view in this Abseil build.
  auto it = by_id_.find(absl::string_view(id.data(), id.size()));
  return it == by_id_.end() ? nullptr : it->second.get();
}

ConnectionEntry* ConnectionRegistry::Find(tcp::ConnId conn) const {
  auto it = by_conn_.find(conn);
  return it == by_conn_.end() ? nullptr : it->second;
}

void ConnectionRegistry::Attach(ConnectionEntry* entry, ConnectionObserver* observer) {
  auto& list = entry->observers;
  if (std::find(list.begin(), list.end(), observer) == list.end()) list.push_back(observer);
}

void ConnectionRegistry::Detach(ConnectionEntry* entry, ConnectionObserver* observer) {
  auto& list = entry->observers;
  list.erase(std::remove(list.begin(), list.end(), observer), list.end());
  if (entry->sender == observer) entry->sender = nullptr;
  if (entry->receiver == observer) entry->receiver = nullptr;
}

void ConnectionRegistry::Release(ConnectionEntry* entry, const absl::Status& why, Host& host,
                                 Instant now) {
  auto it = by_id_.find(entry->id);
  if (it == by_id_.end() || it->second.get() != entry) return;
  std::unique_ptr<ConnectionEntry> owned = std::move(it->second);
  by_id_.erase(it);
  by_conn_.erase(owned->conn);
  const auto observers = owned->observers;
  owned->observers.clear();
  owned->sender = nullptr;
  owned->receiver = nullptr;
  for (ConnectionObserver* observer : observers) {
    observer->OnConnectionReleased(why, host, now);
  }
}

void ConnectionRegistry::Dispatch(const tcp::TcpEvent& event, Host& host, Instant now) {
  ConnectionEntry* entry = Find(event.conn);
  if (entry == nullptr) return;
  ConnectionFacts& facts = entry->facts;
  switch (event.type) {
    case tcp::TcpEventType::kEstablished:
      facts.established = true;
      break;
    case tcp::TcpEventType::kPeerFin:
      facts.peer_fin = true;
      break;
    case tcp::TcpEventType::kFinAcked:
      facts.fin_acked = true;
      facts.bytes_acked = event.bytes_acked;
      break;
    case tcp::TcpEventType::kClosed:
      facts.closed = true;
      facts.close_reason = event.reason;
      facts.bytes_acked = event.bytes_acked;
      break;
    case tcp::TcpEventType::kReadable:
    case tcp::TcpEventType::kWritable:
    case tcp::TcpEventType::kAcceptReady:
      break;
  }
  const auto observers = entry->observers;
  for (ConnectionObserver* observer : observers) {
    // An earlier observer may have released the entry or detached this one.
    if (Find(event.conn) != entry) return;
    const auto& current = entry->observers;
    if (std::find(current.begin(), current.end(), observer) == current.end()) continue;
    observer->OnConnectionEvent(event, host, now);
  }
}

std::vector<ConnectionEntry*> ConnectionRegistry::Entries() const {
  std::vector<ConnectionEntry*> out;
  out.reserve(by_id_.size());
  for (const auto& [id, entry] : by_id_) out.push_back(entry.get());
  std::sort(out.begin(), out.end(), [](const ConnectionEntry* a, const ConnectionEntry* b) {
    return a->sequence < b->sequence;
  });
  return out;
}

uint64_t BytesAckedSoFar(const ConnectionEntry* entry, Host* host, uint64_t seen) {
  uint64_t acked = seen;
  if (entry == nullptr) return acked;
  acked = std::max(acked, entry->facts.bytes_acked);
  if (host != nullptr) {
    if (auto stats = host->tcp().GetStats(entry->conn); stats.ok()) {
      acked = std::max(acked, stats->bytes_acked);
    }
  }
  return acked;
}

}  // namespace tcpaas::server
