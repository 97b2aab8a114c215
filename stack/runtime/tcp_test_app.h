// Test-only (header-only, included by *_test.cc): a small TCP application that runs on a
// StackThread as its TcpEventHandler. On every connection it accepts or opens it sends
// `send_bytes` of a seeded byte stream, then shuts down writing; it reads everything the peer
// sends, hashing it; once it has read EOF and its FIN was acknowledged it closes the
// connection. Test threads follow progress through Reports() and WaitFor().
#ifndef TCPAAS_STACK_RUNTIME_TCP_TEST_APP_H_
#define TCPAAS_STACK_RUNTIME_TCP_TEST_APP_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "stack/runtime/stack_thread.h"
#include "stack/tcp/tcp_layer.h"
#include "stack/tcp/types.h"

namespace tcpaas::runtime {

// FNV-1a (64 bit) over a byte stream.
class StreamHash {
 public:
  void Add(absl::Span<const uint8_t> bytes) {
    for (uint8_t b : bytes) h_ = (h_ ^ b) * 0x100000001b3u;
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325u;
};

// A reproducible byte stream (splitmix64 of a seed).
class ByteStream {
 public:
  explicit ByteStream(uint64_t seed) : state_(seed) {}
  void Fill(absl::Span<uint8_t> out) {
    for (size_t i = 0; i < out.size(); i += 8) {
      uint64_t z = (state_ += 0x9e3779b97f4a7c15u);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
      z ^= z >> 31;
      for (size_t j = 0; j < 8 && i + j < out.size(); ++j)
        out[i + j] = static_cast<uint8_t>(z >> (8 * j));
    }
  }

 private:
  uint64_t state_;
};

// What a test thread sees of one connection.
struct ConnReport {
  tcp::ConnId id;
  bool established = false;
  bool eof = false;        // read the peer's FIN
  bool fin_acked = false;  // our FIN was acknowledged
  bool released = false;   // the app closed it after a clean finish
  bool closed = false;     // a kClosed event arrived (reset, abort, timeout, shutdown)
  CloseReason reason = CloseReason::kNormal;
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t sent_hash = 0;
  uint64_t received_hash = 0;
  std::string error;  // the first API error, if any
  bool done() const { return released || closed; }
};

class TcpTestApp : public tcp::TcpEventHandler {
 public:
  struct Options {
    uint64_t send_bytes = 0;  // per connection
    uint64_t seed = 1;        // the stream of connection k uses seed + k
    bool close_when_done = true;
  };

  explicit TcpTestApp(const Options& options) : options_(options), scratch_(64 * 1024) {}

  // Makes the app `thread`'s event handler. Call before thread.Start().
  void Attach(StackThread& thread) {
    thread_ = &thread;
    thread.Call([this](Host& host, Instant) { tcp_ = &host.tcp(); });
    thread.SetTcpEventHandler(this);
  }

  absl::StatusOr<tcp::ListenerId> Listen(StackThread& thread, Port port, int backlog = 16) {
    return thread.Call([&](Host& host, Instant) { return host.tcp().Listen(port, backlog, {}); });
  }

  absl::StatusOr<tcp::ConnId> Connect(StackThread& thread, Endpoint remote) {
    return thread.Call([&](Host& host, Instant now) -> absl::StatusOr<tcp::ConnId> {
      absl::StatusOr<tcp::ConnId> id = host.tcp().Connect(remote, {}, now);
      if (id.ok()) Adopt(*id, /*established=*/false);
      return id;
    });
  }

  std::vector<ConnReport> Reports() {
    absl::MutexLock lock(&mu_);
    return reports_;
  }
  std::vector<tcp::TcpEvent> Events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  // Waits until `done(reports)` holds; false after `timeout`.
  bool WaitFor(const std::function<bool(const std::vector<ConnReport>&)>& done,
               absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto ready = [&] { return done(reports_); };
    return mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  }

  // tcp::TcpEventHandler (stack thread).
  void OnTcpEvent(const tcp::TcpEvent& event) override {
    {
      absl::MutexLock lock(&mu_);
      events_.push_back(event);
    }
    if (event.type == tcp::TcpEventType::kAcceptReady) {
      while (std::optional<tcp::ConnId> id = tcp_->Accept(event.conn)) {
        Adopt(*id, /*established=*/true);
      }
      return;
    }
    auto it = index_.find(event.conn.packed());
    if (it == index_.end()) return;  // not ours (yet): accepted connections announce later
    Conn& conn = *conns_[it->second];
    switch (event.type) {
      case tcp::TcpEventType::kEstablished:
        conn.report.established = true;
        break;
      case tcp::TcpEventType::kFinAcked:
        conn.report.fin_acked = true;
        break;
      case tcp::TcpEventType::kClosed:
        conn.report.closed = true;
        conn.report.reason = event.reason;
        Publish(conn);
        return;
      default:
        break;
    }
    Pump(conn);
  }

 private:
  struct Conn {
    explicit Conn(uint64_t seed) : stream(seed) {}
    ConnReport report;
    size_t slot = 0;
    ByteStream stream;
    StreamHash sent_hash;
    StreamHash received_hash;
    std::vector<uint8_t> chunk;
    size_t chunk_offset = 0;
    bool shut = false;
    bool pumping = false;
    bool again = false;
  };

  void Adopt(tcp::ConnId id, bool established) {
    auto conn = std::make_unique<Conn>(options_.seed + conns_.size());
    conn->report.id = id;
    conn->report.established = established;
    conn->slot = conns_.size();
    index_[id.packed()] = conns_.size();
    {
      absl::MutexLock lock(&mu_);
      reports_.push_back(conn->report);
    }
    conns_.push_back(std::move(conn));
    Pump(*conns_.back());
  }

  // Sends and reads as far as the buffers allow. Calls into the TCP layer may raise events
  // that land here again: they only ask the running pump for another round.
  void Pump(Conn& conn) {
    if (conn.pumping) {
      conn.again = true;
      return;
    }
    conn.pumping = true;
    do {
      conn.again = false;
      Step(conn);
    } while (conn.again);
    conn.pumping = false;
    Publish(conn);
  }

  void Step(Conn& conn) {
    ConnReport& r = conn.report;
    if (r.released || r.closed || !r.established) return;
    const Instant now = thread_->now();  // never a fresh clock read: see StackThread::now()
    while (r.sent < options_.send_bytes) {
      if (conn.chunk_offset == conn.chunk.size()) {
        conn.chunk.resize(std::min<uint64_t>(16 * 1024, options_.send_bytes - r.sent));
        conn.stream.Fill(absl::MakeSpan(conn.chunk));
        conn.sent_hash.Add(conn.chunk);
        conn.chunk_offset = 0;
      }
      absl::StatusOr<size_t> n =
          tcp_->Send(r.id, absl::MakeConstSpan(conn.chunk).subspan(conn.chunk_offset), now);
      if (!n.ok()) return Error(conn, n.status());
      if (*n == 0) break;
      conn.chunk_offset += *n;
      r.sent += *n;
    }
    if (r.sent == options_.send_bytes && !conn.shut) {
      if (absl::Status s = tcp_->ShutdownWrite(r.id, now); !s.ok()) return Error(conn, s);
      conn.shut = true;
    }
    while (!r.eof) {
      absl::StatusOr<tcp::RecvResult> got = tcp_->Recv(r.id, absl::MakeSpan(scratch_), now);
      if (!got.ok()) return Error(conn, got.status());
      conn.received_hash.Add(absl::MakeConstSpan(scratch_.data(), got->bytes));
      r.received += got->bytes;
      r.eof = got->eof;
      if (got->bytes == 0) break;
    }
    r.sent_hash = conn.sent_hash.value();
    r.received_hash = conn.received_hash.value();
    if (options_.close_when_done && r.eof && conn.shut && r.fin_acked) {
      if (absl::Status s = tcp_->Close(r.id, now); !s.ok()) return Error(conn, s);
      r.released = true;
    }
  }

  void Error(Conn& conn, const absl::Status& status) {
    if (conn.report.error.empty()) conn.report.error = status.ToString();
  }

  void Publish(const Conn& conn) {
    absl::MutexLock lock(&mu_);
    reports_[conn.slot] = conn.report;
  }

  const Options options_;
  // Stack thread only.
  StackThread* thread_ = nullptr;
  tcp::TcpLayer* tcp_ = nullptr;
  std::vector<std::unique_ptr<Conn>> conns_;
  absl::flat_hash_map<uint64_t, size_t> index_;
  std::vector<uint8_t> scratch_;

  absl::Mutex mu_;
  std::vector<ConnReport> reports_ ABSL_GUARDED_BY(mu_);
  std::vector<tcp::TcpEvent> events_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tcpaas::runtime

#endif  // TCPAAS_STACK_RUNTIME_TCP_TEST_APP_H_
