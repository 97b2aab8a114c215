#include "server/service/service_core.h"

#include <vector>

#include "stack/host/host.h"

namespace tcpaas::server {

ServiceCore::ServiceCore(runtime::StackThread* stack, const ServiceOptions& options)
    : options_(options), stack_(stack), executor_(stack), registry_(options.max_connections) {
  executor_.SetEventSink(
      [this](const tcp::TcpEvent& event, Host& host, Instant now) { OnEvent(event, host, now); });
}

void ServiceCore::AddListener(tcp::ListenerId id, ListenerObserver* observer) {
  listeners_[id] = observer;
}

void ServiceCore::RemoveListener(tcp::ListenerId id) { listeners_.erase(id); }

void ServiceCore::OnEvent(const tcp::TcpEvent& event, Host& host, Instant now) {
  if (event.type == tcp::TcpEventType::kAcceptReady) {
    auto it = listeners_.find(event.conn);
    if (it != listeners_.end()) it->second->OnAcceptReady(host, now);
    return;
  }
  registry_.Dispatch(event, host, now);
}

std::vector<tcp::ConnId> ServiceCore::Handles() const {
  std::vector<tcp::ConnId> handles;
  for (const ConnectionEntry* entry : registry_.Entries()) handles.push_back(entry->conn);
  return handles;
}

void ServiceCore::BeginDrain(Host& host, Instant now) {
  const absl::Status draining = absl::UnavailableError("the server is draining (shutting down)");
  // Listeners first, so nothing new arrives.
  const auto listeners = listeners_;
  listeners_.clear();
  for (const auto& [id, observer] : listeners) {
    host.tcp().CloseListener(id, now).IgnoreError();
    observer->OnListenerClosed(draining, host, now);
  }
  for (tcp::ConnId conn : Handles()) {
    ConnectionEntry* entry = registry_.Find(conn);
    if (entry == nullptr) continue;  // released by an earlier observer
    if (!entry->facts.established && !entry->facts.closed) {
      // Still opening: nothing was promised to anyone yet.
      host.tcp().Abort(entry->conn, now).IgnoreError();
      registry_.Release(entry, draining, host, now);
      continue;
    }
    if (entry->facts.closed || entry->write_shut) continue;
    if (entry->sender != nullptr) entry->sender->OnConnectionDraining(host, now);
    // The sender may have released the entry (a Dial ends with its connection).
    if (registry_.Find(conn) != entry) continue;
    // RFC 9293 §3.10.4: FIN after everything queued; reading goes on until the peer's FIN.
    entry->write_shut = true;
    host.tcp().ShutdownWrite(entry->conn, now).IgnoreError();
  }
}

size_t ServiceCore::UnfinishedConnections() const {
  size_t n = 0;
  for (const ConnectionEntry* entry : registry_.Entries()) {
    if (!entry->Finished()) ++n;
  }
  return n;
}

void ServiceCore::ReleaseAll(const absl::Status& why, Host& host, Instant now) {
  for (tcp::ConnId conn : Handles()) {
    ConnectionEntry* entry = registry_.Find(conn);
    if (entry == nullptr) continue;  // released by an earlier observer
    if (entry->Finished()) {
      host.tcp().Close(entry->conn, now).IgnoreError();
    } else {
      host.tcp().Abort(entry->conn, now).IgnoreError();
    }
    registry_.Release(entry, why, host, now);
  }
}

}  // namespace tcpaas::server
