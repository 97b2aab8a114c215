// The connections the service hands out: id -> stack handle, per-connection bookkeeping, and
// the observers (RPC reactors) waiting on each connection's events.
//
// Lives on the stack thread: every method runs there (commands and the TCP event handler), so
// nothing here is locked. An id stays registered from the open until Close (or the server's
// shutdown) releases it, whatever the connection's state, like a BSD descriptor: a reset
// connection keeps its id so the client can still read its stats.
#ifndef TCPAAS_SERVER_SERVICE_CONNECTION_REGISTRY_H_
#define TCPAAS_SERVER_SERVICE_CONNECTION_REGISTRY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"

namespace tcpaas {
class Host;
}  // namespace tcpaas

namespace tcpaas::server {

enum class ConnectionDirection : uint8_t {
  kActive,   // opened by Connect or Dial
  kPassive,  // accepted by Listen
};

// Something that waits on a connection: an RPC reactor. Called on the stack thread only, never
// re-entered (the StackExecutor defers events raised while service code runs).
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  virtual void OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) = 0;
  // The id is being released (Close, or the server's shutdown). The observer is already
  // detached and must not touch the entry again; `why` is the status its call should end with
  // if it still has work.
  virtual void OnConnectionReleased(const absl::Status& why, Host& host, Instant now) = 0;
  // The server is draining and is about to send FIN on this connection: a stream that
  // still has data to write ends now.
  virtual void OnConnectionDraining(Host& host, Instant now) {}
};

// What the TCP events have said so far about a connection.
struct ConnectionFacts {
  bool established = false;
  bool peer_fin = false;   // the peer's FIN arrived
  bool fin_acked = false;  // our FIN was acknowledged
  bool closed = false;     // kClosed: TIME-WAIT or CLOSED
  CloseReason close_reason = CloseReason::kNormal;
  uint64_t bytes_acked = 0;  // from kFinAcked and kClosed
};

struct ConnectionEntry {
  std::string id;
  tcp::ConnId conn;
  ConnectionDirection direction = ConnectionDirection::kActive;
  uint64_t sequence = 0;           // order of registration (listings)
  FourTuple tuple;                 // filled in at registration
  std::string congestion_control;  // the name in effect (TcpStats does not carry it)
  ConnectionFacts facts;
  bool write_shut = false;  // a FIN was queued (Send with fin, Dial, Close, the drain)
  bool closing = false;     // a Close is waiting for the FIN's acknowledgment
  bool dial = false;        // owned by a Dial call: ends with it
  // The streams using each direction (at most one each): Send or Dial, Recv or Dial.
  ConnectionObserver* sender = nullptr;
  ConnectionObserver* receiver = nullptr;
  // Every observer attached, sender and receiver included.
  absl::InlinedVector<ConnectionObserver*, 4> observers;

  // Both directions are finished: nothing more can move on this connection.
  bool Finished() const { return facts.closed || (facts.fin_acked && facts.peer_fin); }
};

// The most the peer is known to have acknowledged of what a call sent: `seen` (what the call
// last reported), the entry's facts and, with `host`, the live stack stats. For the
// "bytes acked" trailer and error texts of Send, Recv and Dial. `entry` may be null.
uint64_t BytesAckedSoFar(const ConnectionEntry* entry, Host* host, uint64_t seen);

class ConnectionRegistry {
 public:
  using IdSource = std::function<std::string()>;

  // At most `limit` ids at a time. `ids` makes fresh ids (tests pass a deterministic source).
  explicit ConnectionRegistry(size_t limit, IdSource ids = nullptr);
  ~ConnectionRegistry();
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  size_t size() const { return by_id_.size(); }
  size_t limit() const { return limit_; }
  bool full() const { return by_id_.size() >= limit_; }

  // Registers a stack handle under a new id. kResourceExhausted at the limit, kAlreadyExists
  // if the handle is registered already.
  absl::StatusOr<ConnectionEntry*> Add(tcp::ConnId conn, ConnectionDirection direction);
  ConnectionEntry* Find(absl::string_view id) const;
  ConnectionEntry* Find(tcp::ConnId conn) const;

  // Observers receive the connection's events until detached. Detach also frees the
  // sender/receiver slot the observer held. Both are idempotent.
  void Attach(ConnectionEntry* entry, ConnectionObserver* observer);
  void Detach(ConnectionEntry* entry, ConnectionObserver* observer);

  // Removes the entry (the caller has closed or aborted the stack handle). Its observers are
  // detached, then told with OnConnectionReleased(why); `entry` is invalid afterwards.
  void Release(ConnectionEntry* entry, const absl::Status& why, Host& host, Instant now);

  // Records the event in the entry's facts, then hands it to every observer still attached
  // (an observer may detach others or release the entry; they are then skipped). Events of
  // unregistered handles are ignored.
  void Dispatch(const tcp::TcpEvent& event, Host& host, Instant now);

  // Every entry, in registration order.
  std::vector<ConnectionEntry*> Entries() const;

 private:
  size_t limit_;
  IdSource ids_;
  uint64_t next_sequence_ = 1;
  absl::flat_hash_map<std::string, std::unique_ptr<ConnectionEntry>> by_id_;
  absl::flat_hash_map<tcp::ConnId, ConnectionEntry*> by_conn_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_CONNECTION_REGISTRY_H_
