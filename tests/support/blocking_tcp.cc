#include "tests/support/blocking_tcp.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stack/host/host.h"

namespace tcpaas::test {
namespace {

std::chrono::steady_clock::time_point DeadlineAfter(Duration timeout) {
  return std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout.nanos());
}

std::string Describe(tcp::ConnId id) { return absl::StrCat("conn ", id.index, "/", id.generation); }

}  // namespace

// --- BlockingTcp ---------------------------------------------------------------------------

BlockingTcp::BlockingTcp(runtime::StackThread* thread) : thread_(thread) {
  thread_->SetTcpEventHandler(this);
}

BlockingTcp::~BlockingTcp() = default;

BlockingTcp::HandleState& BlockingTcp::StateLocked(tcp::ConnId id) {
  std::unique_ptr<HandleState>& state = states_[id];
  if (state == nullptr) state = std::make_unique<HandleState>();
  return *state;
}

void BlockingTcp::OnTcpEvent(const tcp::TcpEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  HandleState& handle = StateLocked(event.conn);
  ConnectionFacts& state = handle.facts;
  ++state.events;
  switch (event.type) {
    case tcp::TcpEventType::kEstablished:
      state.established = true;
      break;
    case tcp::TcpEventType::kPeerFin:
      state.peer_fin = true;
      break;
    case tcp::TcpEventType::kFinAcked:
      state.fin_acked = true;
      state.bytes_acked = event.bytes_acked;
      break;
    case tcp::TcpEventType::kClosed:
      state.closed = true;
      state.close_reason = event.reason;
      state.bytes_acked = event.bytes_acked;
      break;
    case tcp::TcpEventType::kReadable:
    case tcp::TcpEventType::kWritable:
    case tcp::TcpEventType::kAcceptReady:
      break;
  }
  handle.changed.notify_all();
}

ConnectionFacts BlockingTcp::Facts(tcp::ConnId id) {
  std::lock_guard<std::mutex> lock(mu_);
  return StateLocked(id).facts;
}

bool BlockingTcp::WaitFor(tcp::ConnId id, Duration timeout,
                          const std::function<bool(const ConnectionFacts&)>& done) {
  std::unique_lock<std::mutex> lock(mu_);
  HandleState& state = StateLocked(id);
  return state.changed.wait_until(lock, DeadlineAfter(timeout), [&] { return done(state.facts); });
}

uint64_t BlockingTcp::EventCount(tcp::ConnId id) { return Facts(id).events; }

bool BlockingTcp::WaitForEventAfter(tcp::ConnId id, uint64_t seen, Duration timeout) {
  return WaitFor(id, timeout, [seen](const ConnectionFacts& s) { return s.events != seen; });
}

absl::StatusOr<std::unique_ptr<BlockingConnection>> BlockingTcp::Connect(
    Endpoint remote, const tcp::ConnectionOptions& options) {
  auto id = thread_->Call(
      [&](Host& host, Instant now) { return host.tcp().Connect(remote, options, now); });
  if (!id.ok()) return id.status();
  return std::make_unique<BlockingConnection>(this, *id);
}

absl::StatusOr<std::unique_ptr<BlockingListener>> BlockingTcp::Listen(
    Port port, int backlog, const tcp::ConnectionOptions& options) {
  auto id = thread_->Call(
      [&](Host& host, Instant now) { return host.tcp().Listen(port, backlog, options); });
  if (!id.ok()) return id.status();
  return std::make_unique<BlockingListener>(this, *id);
}

// --- BlockingConnection --------------------------------------------------------------------

BlockingConnection::~BlockingConnection() {
  if (released_) return;
  // Posted rather than called: the stack thread may already be stopping, and a destructor
  // must never block. A failed Post means the thread is gone and the handle with it.
  tcp::ConnId id = id_;
  tcp_->thread_->Post([id](Host& host, Instant now) { host.tcp().Close(id, now).IgnoreError(); })
      .IgnoreError();
}

absl::Status BlockingConnection::WaitEstablished(Duration timeout) {
  bool done = tcp_->WaitFor(id_, timeout,
                            [](const ConnectionFacts& s) { return s.established || s.closed; });
  if (!done) {
    return absl::DeadlineExceededError(absl::StrCat(Describe(id_), " not established after ",
                                                    timeout.ToString(), ": ", StatsString()));
  }
  ConnectionFacts facts = Facts();
  if (!facts.established) {
    return absl::UnavailableError(absl::StrCat(Describe(id_), " closed before it was established: ",
                                               std::string(CloseReasonName(facts.close_reason))));
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> BlockingConnection::Read(absl::Span<uint8_t> out, Duration timeout) {
  for (;;) {
    uint64_t seen = tcp_->EventCount(id_);
    auto result = tcp_->thread_->Call(
        [&](Host& host, Instant now) { return host.tcp().Recv(id_, out, now); });
    if (!result.ok()) return result.status();
    if (result->bytes > 0 || result->eof || out.empty()) return result->bytes;
    if (!tcp_->WaitForEventAfter(id_, seen, timeout)) {
      return absl::DeadlineExceededError(absl::StrCat("read on ", Describe(id_), ": no data for ",
                                                      timeout.ToString(), ": ", StatsString()));
    }
  }
}

absl::StatusOr<std::string> BlockingConnection::ReadLine(Duration timeout, size_t max) {
  // Byte by byte keeps the rest of the stream in the stack's buffer; lines are short.
  std::string line;
  while (line.size() < max) {
    uint8_t c;
    auto n = Read(absl::MakeSpan(&c, 1), timeout);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    line.push_back(static_cast<char>(c));
    if (c == '\n') break;
  }
  return line;
}

absl::Status BlockingConnection::WriteAll(absl::Span<const uint8_t> data, Duration timeout,
                                          size_t* written) {
  size_t done = 0;
  absl::Status status;
  while (done < data.size()) {
    uint64_t seen = tcp_->EventCount(id_);
    auto n = tcp_->thread_->Call(
        [&](Host& host, Instant now) { return host.tcp().Send(id_, data.subspan(done), now); });
    if (!n.ok()) {
      status = n.status();
      break;
    }
    done += *n;
    if (*n == 0 && !tcp_->WaitForEventAfter(id_, seen, timeout)) {
      status = absl::DeadlineExceededError(absl::StrCat("write on ", Describe(id_),
                                                        ": send buffer full for ",
                                                        timeout.ToString(), ": ", StatsString()));
      break;
    }
  }
  if (written != nullptr) *written = done;
  return status;
}

absl::Status BlockingConnection::ShutdownWrite() {
  return tcp_->thread_->Call(
      [&](Host& host, Instant now) { return host.tcp().ShutdownWrite(id_, now); });
}

absl::Status BlockingConnection::Close() {
  if (released_) return absl::FailedPreconditionError("handle already released");
  released_ = true;
  return tcp_->thread_->Call([&](Host& host, Instant now) { return host.tcp().Close(id_, now); });
}

absl::Status BlockingConnection::Abort() {
  if (released_) return absl::FailedPreconditionError("handle already released");
  released_ = true;
  return tcp_->thread_->Call([&](Host& host, Instant now) { return host.tcp().Abort(id_, now); });
}

absl::Status BlockingConnection::WaitClosed(Duration timeout) {
  if (!tcp_->WaitFor(id_, timeout, [](const ConnectionFacts& s) { return s.closed; })) {
    return absl::DeadlineExceededError(
        absl::StrCat(Describe(id_), " not closed after ", timeout.ToString(), ": ", StatsString()));
  }
  return absl::OkStatus();
}

absl::Status BlockingConnection::WaitFinAcked(Duration timeout) {
  if (!tcp_->WaitFor(id_, timeout,
                     [](const ConnectionFacts& s) { return s.fin_acked || s.closed; })) {
    return absl::DeadlineExceededError(absl::StrCat("FIN of ", Describe(id_),
                                                    " not acknowledged after ", timeout.ToString(),
                                                    ": ", StatsString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<tcp::TcpStats> BlockingConnection::Stats() {
  if (released_) return absl::FailedPreconditionError("handle released");
  return tcp_->thread_->Call([&](Host& host, Instant) { return host.tcp().GetStats(id_); });
}

std::string BlockingConnection::StatsString() {
  auto s = Stats();
  if (!s.ok()) return std::string(s.status().message());
  return absl::StrFormat(
      "%s %s srtt=%s rto=%s cwnd=%u ssthresh=%u snd_wnd=%u rcv_wnd=%u mss=%u "
      "sent=%u acked=%u retrans_bytes=%u rto_timeouts=%u fast_recoveries=%u received=%u "
      "in_flight=%u sndbuf=%u rcvbuf=%u",
      tcp::TcpStateName(s->state), s->tuple.ToString(), s->srtt.ToString(), s->rto.ToString(),
      s->cwnd, s->ssthresh, s->snd_wnd, s->rcv_wnd, s->snd_mss, s->bytes_sent, s->bytes_acked,
      s->bytes_retransmitted, s->rto_timeouts, s->fast_recoveries, s->bytes_received,
      s->bytes_in_flight, s->send_buffer_used, s->recv_buffer_used);
}

// --- BlockingListener ----------------------------------------------------------------------

BlockingListener::~BlockingListener() {
  tcp::ListenerId id = id_;
  tcp_->thread_
      ->Post([id](Host& host, Instant now) { host.tcp().CloseListener(id, now).IgnoreError(); })
      .IgnoreError();
}

absl::StatusOr<std::unique_ptr<BlockingConnection>> BlockingListener::Accept(Duration timeout) {
  for (;;) {
    uint64_t seen = tcp_->EventCount(id_);
    auto id = tcp_->thread_->Call([&](Host& host, Instant) { return host.tcp().Accept(id_); });
    if (id.has_value()) return std::make_unique<BlockingConnection>(tcp_, *id);
    if (!tcp_->WaitForEventAfter(id_, seen, timeout)) {
      return absl::DeadlineExceededError(
          absl::StrCat("accept: no connection within ", timeout.ToString()));
    }
  }
}

}  // namespace tcpaas::test
