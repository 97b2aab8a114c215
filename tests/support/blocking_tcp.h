// A blocking, thread-safe view of our stack's TCP for tests: connect, listen/accept, read,
// write, shutdown and close, each waiting with a timeout the way a socket with SO_RCVTIMEO
// would. Calls reach the stack through StackThread::Call; waiting happens on a condition
// variable per connection that the TcpEventHandler (on the stack thread) signals.
//
//   BlockingTcp tcp(&thread);       // before thread.Start(): it installs the event handler
//   thread.Start();
//   auto conn = tcp.Connect({kKernelAddr, Port(5001)});
//   conn->WaitEstablished(Duration::Seconds(5));
//   conn->WriteAll(bytes, Duration::Seconds(5));
//
// Timeouts bound the wait for *progress* (the next event), not a whole transfer, so a long
// transfer never times out while it moves.
#ifndef TCPAAS_TESTS_SUPPORT_BLOCKING_TCP_H_
#define TCPAAS_TESTS_SUPPORT_BLOCKING_TCP_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/runtime/stack_thread.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"

namespace tcpaas::test {

class BlockingConnection;
class BlockingListener;

// What the events have said so far about one connection (or listener).
struct ConnectionFacts {
  uint64_t events = 0;  // bumped by every event: waiters wait for it to move
  bool established = false;
  bool peer_fin = false;
  bool fin_acked = false;
  bool closed = false;
  CloseReason close_reason = CloseReason::kNormal;  // from kClosed
  uint64_t bytes_acked = 0;                         // from kFinAcked / kClosed
};

class BlockingTcp : public tcp::TcpEventHandler {
 public:
  // Registers itself as `thread`'s TCP event handler, so it must be built before
  // thread->Start(). The thread must be stopped before this object is destroyed.
  explicit BlockingTcp(runtime::StackThread* thread);
  ~BlockingTcp() override;

  // Active open. Returns once the SYN is queued; WaitEstablished() says how it ended.
  absl::StatusOr<std::unique_ptr<BlockingConnection>> Connect(
      Endpoint remote, const tcp::ConnectionOptions& options = tcp::ConnectionOptions());
  // Passive open on the stack's address.
  absl::StatusOr<std::unique_ptr<BlockingListener>> Listen(
      Port port, int backlog = 16,
      const tcp::ConnectionOptions& options = tcp::ConnectionOptions());

  // tcp::TcpEventHandler (stack thread).
  void OnTcpEvent(const tcp::TcpEvent& event) override;

  runtime::StackThread& thread() { return *thread_; }

 private:
  friend class BlockingConnection;
  friend class BlockingListener;

  struct HandleState {
    std::condition_variable changed;
    ConnectionFacts facts;
  };

  HandleState& StateLocked(tcp::ConnId id);
  ConnectionFacts Facts(tcp::ConnId id);
  // Waits until `done()` holds (checked under the lock), at most `timeout`. False on timeout.
  bool WaitFor(tcp::ConnId id, Duration timeout,
               const std::function<bool(const ConnectionFacts&)>& done);
  // Events seen so far for `id`.
  uint64_t EventCount(tcp::ConnId id);
  // Waits until `id` has seen more than `seen` events, at most `timeout`. False on timeout.
  bool WaitForEventAfter(tcp::ConnId id, uint64_t seen, Duration timeout);

  runtime::StackThread* thread_;
  std::mutex mu_;
  // Never erased: events may still arrive after a handle is released, and a test opens only
  // a handful of connections.
  absl::flat_hash_map<tcp::ConnId, std::unique_ptr<HandleState>> states_;
};

class BlockingConnection {
 public:
  BlockingConnection(BlockingTcp* tcp, tcp::ConnId id) : tcp_(tcp), id_(id) {}
  // Releases the handle like close() if the test did not (posted; never blocks).
  ~BlockingConnection();
  BlockingConnection(const BlockingConnection&) = delete;
  BlockingConnection& operator=(const BlockingConnection&) = delete;

  tcp::ConnId id() const { return id_; }

  // Until ESTABLISHED. If the connection closed instead, the error says why and
  // close_reason() holds the reason.
  absl::Status WaitEstablished(Duration timeout);
  // Reads what is there, waiting up to `timeout` for the first byte; 0 means EOF.
  // A reset connection is kAborted.
  absl::StatusOr<size_t> Read(absl::Span<uint8_t> out, Duration timeout);
  // Reads up to and including '\n' (or EOF), at most `max` bytes.
  absl::StatusOr<std::string> ReadLine(Duration timeout, size_t max = 4096);
  // Queues all of `data`, waiting up to `timeout` each time the send buffer is full.
  // `written` (optional) receives the bytes the stack accepted, also on failure.
  absl::Status WriteAll(absl::Span<const uint8_t> data, Duration timeout,
                        size_t* written = nullptr);
  absl::Status WriteAll(std::string_view data, Duration timeout) {
    return WriteAll(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(data.data()), data.size()),
                    timeout);
  }

  absl::Status ShutdownWrite();
  // close(): FIN after queued data (RST if unread data remains); releases the handle.
  absl::Status Close();
  // Sends RST and releases the handle.
  absl::Status Abort();

  // Until the kClosed event (the connection reached TIME-WAIT or CLOSED).
  absl::Status WaitClosed(Duration timeout);
  // Until the kFinAcked event (everything we sent, FIN included, was acknowledged).
  absl::Status WaitFinAcked(Duration timeout);

  absl::StatusOr<tcp::TcpStats> Stats();
  // "state=ESTABLISHED cwnd=... srtt=..." or the error, for failure messages.
  std::string StatsString();

  // What the events have said so far.
  ConnectionFacts Facts() { return tcp_->Facts(id_); }

 private:
  BlockingTcp* tcp_;
  tcp::ConnId id_;
  bool released_ = false;  // Close() or Abort() gave the handle back
};

class BlockingListener {
 public:
  BlockingListener(BlockingTcp* tcp, tcp::ListenerId id) : tcp_(tcp), id_(id) {}
  ~BlockingListener();  // stops listening (posted; never blocks)
  BlockingListener(const BlockingListener&) = delete;
  BlockingListener& operator=(const BlockingListener&) = delete;

  // The next established connection (kDeadlineExceeded after `timeout`).
  absl::StatusOr<std::unique_ptr<BlockingConnection>> Accept(Duration timeout);

 private:
  BlockingTcp* tcp_;
  tcp::ListenerId id_;
};

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_BLOCKING_TCP_H_
