// The TCP layer: owns every connection and listener, demultiplexes segments to them,
// answers segments for no connection, schedules timers and delivers events.
#include "stack/tcp/tcp_layer.h"

#include <limits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "stack/tcp/challenge_ack_limiter.h"
#include "stack/tcp/congestion/congestion_control.h"
#include "stack/tcp/connection.h"
#include "stack/tcp/event_queue.h"
#include "stack/tcp/isn.h"
#include "stack/tcp/listener.h"
#include "stack/tcp/options_negotiation.h"
#include "stack/tcp/port_allocator.h"
#include "stack/tcp/reset.h"
#include "stack/tcp/segment.h"
#include "stack/tcp/slot_table.h"
#include "stack/tcp/timer_queue.h"
#include "stack/wire/endian.h"

namespace tcpaas::tcp {
namespace {

// The largest receive buffer a 16-bit window with the largest shift can describe.
constexpr size_t kMaxRecvBuffer = size_t{65535} << kMaxWindowShift;
// A bound on the send buffer, so no caller can ask for unbounded memory by mistake.
constexpr size_t kMaxSendBuffer = size_t{1} << 30;

absl::Status ValidateSendBuffer(size_t bytes) {
  if (bytes == 0 || bytes > kMaxSendBuffer) {
    return absl::InvalidArgumentError(
        absl::StrCat("send buffer must be 1 .. ", kMaxSendBuffer, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRecvBuffer(size_t bytes) {
  if (bytes == 0 || bytes > kMaxRecvBuffer) {
    return absl::InvalidArgumentError(
        absl::StrCat("receive buffer must be 1 .. ", kMaxRecvBuffer, " bytes (65535 << 14)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateKeepalive(const KeepaliveSettings& k) {
  if (k.enabled && (k.idle <= Duration::Zero() || k.interval <= Duration::Zero() || k.probes < 1)) {
    return absl::InvalidArgumentError("keepalive needs positive idle, interval and probes");
  }
  return absl::OkStatus();
}

KeepaliveSettings KeepaliveOf(const ConnectionOptions& o) {
  return KeepaliveSettings{.enabled = o.keepalive,
                           .idle = o.keepalive_idle,
                           .interval = o.keepalive_interval,
                           .probes = o.keepalive_probes};
}

bool UsableRemote(Ipv4Address a) {
  return !a.is_any() && !a.is_broadcast() && !a.is_multicast() && !a.is_loopback();
}

absl::Status ValidateOptions(const ConnectionOptions& o, const TcpConfig& config) {
  if (absl::Status s = ValidateSendBuffer(o.send_buffer_bytes); !s.ok()) return s;
  if (absl::Status s = ValidateRecvBuffer(o.recv_buffer_bytes); !s.ok()) return s;
  if (o.window_scale_buffer_bytes > kMaxRecvBuffer) {
    return absl::InvalidArgumentError(
        absl::StrCat("window scale buffer above ", kMaxRecvBuffer, " bytes (65535 << 14)"));
  }
  if (absl::Status s = ValidateKeepalive(KeepaliveOf(o)); !s.ok()) return s;
  if (o.user_timeout < Duration::Zero()) {
    return absl::InvalidArgumentError("user timeout must not be negative");
  }
  // The congestion control is created once the MSS is known; check its name now.
  return MakeCongestionControl(o.congestion_control, kDefaultSendMss,
                               config.initial_window_segments)
      .status();
}

// A per-connection offset for timestamps (RFC 7323 §7.1), keyed like the ISN.
uint32_t TimestampOffset(const std::array<uint64_t, 2>& secret, const FourTuple& t) {
  uint8_t bytes[13];
  wire::Store32(bytes, t.local.addr.value());
  wire::Store16(bytes + 4, t.local.port.value());
  wire::Store32(bytes + 6, t.remote.addr.value());
  wire::Store16(bytes + 10, t.remote.port.value());
  bytes[12] = 'T';
  return static_cast<uint32_t>(SipHash24(secret, absl::MakeConstSpan(bytes)));
}

}  // namespace

class TcpLayer::Impl {
 public:
  Impl(const TcpConfig& config, ip::IpSender* ip, StackCounters* counters)
      : config_(config),
        ip_(ip),
        counters_(counters),
        challenge_acks_(config.challenge_ack_per_second),
        ctx_{&config_, ip, counters, &events_, &challenge_acks_},
        isn_(config.secret),
        ports_(config.ephemeral_first, config.ephemeral_last),
        conns_(&generations_),
        listeners_(&generations_) {}

  void SetEventHandler(TcpEventHandler* handler) { handler_ = handler; }
  const TcpConfig& config() const { return config_; }

  // RFC 7323 §5.4: the timestamp clock must never run backwards, and neither may timers or
  // RTT samples. Every entry point passes its `now` through here: the layer works with the
  // latest time it has seen, whatever a caller passes.
  Instant Monotonic(Instant now) {
    if (now > latest_now_ && !now.is_never()) latest_now_ = now;
    return latest_now_;
  }

  absl::StatusOr<ConnId> Connect(Endpoint remote, const ConnectionOptions& options, Instant now,
                                 Port local_port);
  absl::StatusOr<ListenerId> Listen(Port port, int backlog, const ConnectionOptions& options);
  absl::Status CloseListener(ListenerId id, Instant now);
  std::optional<ConnId> Accept(ListenerId id);
  absl::Status SetListenerOptions(ListenerId id, const ConnectionOptions& options);
  absl::StatusOr<ConnectionOptions> GetListenerOptions(ListenerId id) const;

  // Runs `fn` on the user's connection `id`, then settles the layer and delivers events.
  template <typename Fn>
  auto WithConnection(ConnId id, Fn fn) -> decltype(fn(std::declval<Connection&>())) {
    Connection* c = conns_.Find(id);
    if (c == nullptr || !c->owned()) {
      return absl::NotFoundError(absl::StrCat("no connection with handle ", id.packed()));
    }
    const TcpState before = c->state();
    auto result = fn(*c);
    Settle(id, before);
    events_.Deliver(handler_);
    return result;
  }
  const Connection* FindOwned(ConnId id) const {
    const Connection* c = conns_.Find(id);
    return c != nullptr && c->owned() ? c : nullptr;
  }

  std::array<size_t, kTcpStateCount> StateCounts() const;
  size_t connection_count() const { return conns_.size(); }

  void OnPacket(const ip::Ipv4PacketInfo& info, absl::Span<const uint8_t> bytes, Instant now);
  void OnIcmpError(const ip::IcmpError& error, Instant now);
  void Poll(Instant now);
  Instant NextDeadline() const { return timers_.Earliest(); }
  void AbortAll(Instant now);

 private:
  void Demux(const Segment& seg, Instant now);
  // RFC 9293 §3.10.7.2: a segment for a listener.
  void OnListenerSegment(Listener& listener, const Segment& seg, Instant now);
  // Brings the layer in line with a connection after it worked: accept queue, demux table,
  // timer schedule; frees it once CLOSED without a handle.
  void Settle(ConnId id, TcpState before);

  TcpConfig config_;
  ip::IpSender* ip_;
  StackCounters* counters_;
  TcpEventHandler* handler_ = nullptr;
  EventQueue events_;
  ChallengeAckLimiter challenge_acks_;
  ConnectionContext ctx_;
  IsnGenerator isn_;
  PortAllocator ports_;
  GenerationCounter generations_;
  SlotTable<Connection> conns_;
  SlotTable<Listener> listeners_;
  absl::flat_hash_map<FourTuple, ConnId> by_tuple_;
  absl::flat_hash_map<Port, ListenerId> by_port_;
  TimerQueue timers_;  // keyed by connection slot index
  Instant latest_now_ = Instant::FromNanos(std::numeric_limits<int64_t>::min());
};

// --- Opening ---------------------------------------------------------------------------

absl::StatusOr<ConnId> TcpLayer::Impl::Connect(Endpoint remote, const ConnectionOptions& options,
                                               Instant now, Port local_port) {
  const Ipv4Address local = ip_->local_address();
  if (remote.port.value() == 0) return absl::InvalidArgumentError("remote port 0");
  if (!UsableRemote(remote.addr) || remote.addr == local) {
    return absl::InvalidArgumentError(absl::StrCat("cannot connect to ", remote.addr.ToString()));
  }
  if (absl::Status s = ValidateOptions(options, config_); !s.ok()) return s;
  if (conns_.size() >= config_.max_connections) {
    return absl::ResourceExhaustedError(
        absl::StrCat("connection limit reached (", config_.max_connections, ")"));
  }
  FourTuple tuple{.local = Endpoint{local, local_port}, .remote = remote};
  if (local_port.value() != 0) {
    if (by_tuple_.contains(tuple)) {
      return absl::AlreadyExistsError(absl::StrCat(tuple.ToString(), " is in use"));
    }
  } else {
    // RFC 6056 §3.3.3; ports with a listener are left to it.
    const std::optional<Port> port = ports_.Allocate(isn_.PortOffset(local, remote), [&](Port p) {
      return !by_port_.contains(p) &&
             !by_tuple_.contains(FourTuple{.local = Endpoint{local, p}, .remote = remote});
    });
    if (!port) {
      return absl::ResourceExhaustedError(
          absl::StrCat("no free ephemeral port toward ", remote.ToString()));
    }
    tuple.local.port = *port;
  }

  const ConnId id = conns_.NextId();
  auto conn = std::make_unique<Connection>(
      &ctx_,
      Connection::Identity{.id = id,
                           .tuple = tuple,
                           .iss = isn_.Generate(tuple, now),
                           .ts_offset = TimestampOffset(config_.secret, tuple)},
      options);
  Connection* c = conn.get();
  conns_.Insert(std::move(conn));
  by_tuple_[tuple] = id;
  if (absl::Status s = c->Open(now); !s.ok() && !absl::IsResourceExhausted(s)) {
    // Not even the SYN could leave (e.g. no route): fail now rather than after SYN timeouts.
    // A full queue below us (ARP still resolving under a burst of connects) is a SYN lost
    // on the way, counted there: the retransmission timer sends it again (RFC 6298 §5).
    by_tuple_.erase(tuple);
    conns_.Erase(id);
    return s;
  }
  ++counters_->tcp_active_opens;
  Settle(id, TcpState::kClosed);
  events_.Deliver(handler_);
  return id;
}

absl::StatusOr<ListenerId> TcpLayer::Impl::Listen(Port port, int backlog,
                                                  const ConnectionOptions& options) {
  if (port.value() == 0) return absl::InvalidArgumentError("cannot listen on port 0");
  if (backlog < 1) return absl::InvalidArgumentError("backlog must be at least 1");
  if (absl::Status s = ValidateOptions(options, config_); !s.ok()) return s;
  if (by_port_.contains(port)) {
    return absl::AlreadyExistsError(absl::StrCat("port ", port.value(), " has a listener"));
  }
  const ListenerId id = listeners_.NextId();
  listeners_.Insert(std::make_unique<Listener>(id, port, backlog, options));
  by_port_[port] = id;
  return id;
}

absl::Status TcpLayer::Impl::CloseListener(ListenerId id, Instant now) {
  Listener* l = listeners_.Find(id);
  if (l == nullptr) return absl::NotFoundError("no such listener");
  for (ConnId child : l->Children()) {
    Connection* c = conns_.Find(child);
    if (c == nullptr) continue;
    const TcpState before = c->state();
    c->DetachFromListener();
    c->Abort(CloseReason::kAborted, now);
    Settle(child, before);
  }
  by_port_.erase(l->port());
  listeners_.Erase(id);
  events_.Deliver(handler_);
  return absl::OkStatus();
}

std::optional<ConnId> TcpLayer::Impl::Accept(ListenerId id) {
  Listener* l = listeners_.Find(id);
  if (l == nullptr) return std::nullopt;
  while (std::optional<ConnId> child = l->PopReady()) {
    Connection* c = conns_.Find(*child);
    if (c == nullptr) continue;
    c->OnAccepted();
    events_.Deliver(handler_);
    return child;
  }
  return std::nullopt;
}

absl::Status TcpLayer::Impl::SetListenerOptions(ListenerId id, const ConnectionOptions& options) {
  Listener* l = listeners_.Find(id);
  if (l == nullptr) return absl::NotFoundError("no such listener");
  if (absl::Status s = ValidateOptions(options, config_); !s.ok()) return s;
  l->set_options(options);
  return absl::OkStatus();
}

absl::StatusOr<ConnectionOptions> TcpLayer::Impl::GetListenerOptions(ListenerId id) const {
  const Listener* l = listeners_.Find(id);
  if (l == nullptr) return absl::NotFoundError("no such listener");
  return l->options();
}

// --- Segments --------------------------------------------------------------------------

void TcpLayer::Impl::OnPacket(const ip::Ipv4PacketInfo& info, absl::Span<const uint8_t> bytes,
                              Instant now) {
  ++counters_->tcp_segments_rx;
  ParsedSegment parsed = ParseSegment(info, bytes);
  if (!parsed.segment) {
    counters_->Drop(parsed.drop_reason);
    return;
  }
  const Segment& seg = *parsed.segment;
  // RFC 1122 §4.2.3.10: only unicast; never answer (or RST) anything else.
  if (info.dst != ip_->local_address() || !UsableRemote(info.src) ||
      seg.tuple.remote.port.value() == 0 || seg.tuple.local.port.value() == 0) {
    counters_->Drop(DropReason::kTcpNoSocket);
    return;
  }
  Demux(seg, now);
  events_.Deliver(handler_);
}

void TcpLayer::Impl::Demux(const Segment& seg, Instant now) {
  auto it = by_tuple_.find(seg.tuple);
  if (it != by_tuple_.end()) {
    const ConnId id = it->second;
    Connection* c = conns_.Find(id);
    const auto listener = by_port_.find(seg.tuple.local.port);
    if (c->state() == TcpState::kTimeWait && listener != by_port_.end() &&
        c->AcceptsNewIncarnation(seg)) {
      // RFC 6191: a new connection may reuse the tuple of one in TIME-WAIT.
      c->CloseTimeWait();
      Settle(id, TcpState::kTimeWait);
    } else {
      const TcpState before = c->state();
      c->OnSegment(seg, now);
      Settle(id, before);
      return;
    }
  }
  if (auto l = by_port_.find(seg.tuple.local.port); l != by_port_.end()) {
    OnListenerSegment(*listeners_.Find(l->second), seg, now);
    return;
  }
  // RFC 9293 §3.10.7.1: no connection.
  counters_->Drop(DropReason::kTcpNoSocket);
  SendResetFor(seg, *ip_, *counters_, now);
}

void TcpLayer::Impl::OnListenerSegment(Listener& listener, const Segment& seg, Instant now) {
  // RFC 9293 §3.10.7.2. First: a RST is ignored.
  if (seg.rst()) {
    counters_->Drop(DropReason::kTcpBadRst);
    return;
  }
  // Second: an ACK cannot be for anything of ours: <SEQ=SEG.ACK><CTL=RST>.
  if (seg.has_ack()) {
    counters_->Drop(DropReason::kTcpBadAck);
    SendResetFor(seg, *ip_, *counters_, now);
    return;
  }
  if (!seg.syn()) {
    counters_->Drop(DropReason::kTcpNoFlags);
    return;
  }
  if (seg.fin()) {  // SYN+FIN is no way to open a connection (Linux drops it too)
    counters_->Drop(DropReason::kTcpBadSyn);
    return;
  }
  // Third: SYN. Bounded like Linux: embryonic + completed <= backlog, else drop the SYN
  // silently (the peer retries).
  if (!listener.HasRoom() || conns_.size() >= config_.max_connections) {
    counters_->Drop(DropReason::kTcpBacklogFull);
    ++counters_->tcp_syn_cookies_or_overflow;
    return;
  }
  const ConnId id = conns_.NextId();
  auto conn = std::make_unique<Connection>(
      &ctx_,
      Connection::Identity{.id = id,
                           .tuple = seg.tuple,
                           .iss = isn_.Generate(seg.tuple, now),
                           .ts_offset = TimestampOffset(config_.secret, seg.tuple)},
      listener.options());
  Connection* c = conn.get();
  conns_.Insert(std::move(conn));
  by_tuple_[seg.tuple] = id;
  listener.AddEmbryonic(id);
  ++counters_->tcp_passive_opens;
  c->AcceptSyn(seg, listener.id(), now);
  Settle(id, TcpState::kListen);
}

void TcpLayer::Impl::OnIcmpError(const ip::IcmpError& error, Instant now) {
  if (error.protocol != ip::kProtoTcp || error.original_transport.size() < 8) {
    counters_->Drop(DropReason::kIcmpUnhandled);
    return;
  }
  const uint8_t* t = error.original_transport.data();
  const FourTuple tuple{.local = Endpoint{error.original_src, Port(wire::Load16(t))},
                        .remote = Endpoint{error.original_dst, Port(wire::Load16(t + 2))}};
  auto it = by_tuple_.find(tuple);
  if (it == by_tuple_.end()) {
    counters_->Drop(DropReason::kIcmpUnhandled);
    return;
  }
  const ConnId id = it->second;
  Connection* c = conns_.Find(id);
  const TcpState before = c->state();
  c->OnIcmpError(error, SeqNum(wire::Load32(t + 4)), now);
  Settle(id, before);
  events_.Deliver(handler_);
}

// --- Timers ----------------------------------------------------------------------------

void TcpLayer::Impl::Poll(Instant now) {
  while (!timers_.empty() && timers_.Earliest() <= now) {
    const uint32_t index = timers_.EarliestKey();
    Connection* c = conns_.AtIndex(index);
    if (c == nullptr) {
      timers_.Remove(index);
      continue;
    }
    const ConnId id = c->id();
    const TcpState before = c->state();
    c->OnTimers(now);
    Settle(id, before);
    // A connection must move its deadline past `now`; make sure a bug cannot spin here.
    if (timers_.DeadlineOf(index) <= now) timers_.Set(index, now + Duration::Nanos(1));
  }
  events_.Deliver(handler_);
}

// --- Bookkeeping -----------------------------------------------------------------------

void TcpLayer::Impl::Settle(ConnId id, TcpState before) {
  Connection* c = conns_.Find(id);
  if (c == nullptr) return;
  const TcpState state = c->state();
  if (c->listener().valid()) {
    Listener* l = listeners_.Find(c->listener());
    if (l == nullptr) {
      c->DetachFromListener();
    } else if (state == TcpState::kClosed) {
      l->RemoveChild(id);
    } else if (before == TcpState::kSynReceived && state != TcpState::kSynReceived) {
      // The handshake completed: queue the child for Accept().
      l->MarkReady(id);
      events_.Push(TcpEvent{.type = TcpEventType::kAcceptReady, .conn = l->id()});
    }
  }
  if (state == TcpState::kClosed) {
    auto it = by_tuple_.find(c->tuple());
    if (it != by_tuple_.end() && it->second == id) by_tuple_.erase(it);
    timers_.Remove(id.index);
    if (!c->owned()) {
      if (c->listener().valid()) {
        if (Listener* l = listeners_.Find(c->listener())) l->RemoveChild(id);
      }
      conns_.Erase(id);
    }
    return;
  }
  timers_.Set(id.index, c->NextDeadline());
}

std::array<size_t, kTcpStateCount> TcpLayer::Impl::StateCounts() const {
  std::array<size_t, kTcpStateCount> counts{};
  conns_.ForEach([&](const Connection& c) { ++counts[static_cast<size_t>(c.state())]; });
  counts[static_cast<size_t>(TcpState::kListen)] += listeners_.size();
  return counts;
}

void TcpLayer::Impl::AbortAll(Instant now) {
  for (ConnId id : conns_.Ids()) {
    Connection* c = conns_.Find(id);
    if (c == nullptr) continue;
    const TcpState before = c->state();
    c->DetachFromListener();
    c->Abort(CloseReason::kStackShutdown, now);
    Settle(id, before);
  }
  for (ListenerId id : listeners_.Ids()) {
    if (Listener* l = listeners_.Find(id)) by_port_.erase(l->port());
    listeners_.Erase(id);
  }
  events_.Deliver(handler_);
}

// --- TcpLayer: forwards to Impl ----------------------------------------------------------

TcpLayer::TcpLayer(const TcpConfig& config, ip::IpSender* ip, StackCounters* counters)
    : impl_(std::make_unique<Impl>(config, ip, counters)) {}
TcpLayer::~TcpLayer() = default;

void TcpLayer::SetEventHandler(TcpEventHandler* handler) { impl_->SetEventHandler(handler); }
const TcpConfig& TcpLayer::config() const { return impl_->config(); }

absl::StatusOr<ConnId> TcpLayer::Connect(Endpoint remote, const ConnectionOptions& options,
                                         Instant now, Port local_port) {
  return impl_->Connect(remote, options, impl_->Monotonic(now), local_port);
}
absl::StatusOr<ListenerId> TcpLayer::Listen(Port port, int backlog,
                                            const ConnectionOptions& options) {
  return impl_->Listen(port, backlog, options);
}
absl::Status TcpLayer::CloseListener(ListenerId listener, Instant now) {
  return impl_->CloseListener(listener, impl_->Monotonic(now));
}
std::optional<ConnId> TcpLayer::Accept(ListenerId listener) { return impl_->Accept(listener); }

absl::StatusOr<size_t> TcpLayer::Send(ConnId conn, absl::Span<const uint8_t> data, Instant now) {
  now = impl_->Monotonic(now);
  return impl_->WithConnection(
      conn, [&](Connection& c) -> absl::StatusOr<size_t> { return c.Send(data, false, now); });
}
absl::StatusOr<size_t> TcpLayer::Send(ConnId conn, absl::Span<const uint8_t> data, SendFlags flags,
                                      Instant now) {
  now = impl_->Monotonic(now);
  return impl_->WithConnection(
      conn, [&](Connection& c) -> absl::StatusOr<size_t> { return c.Send(data, flags.more, now); });
}
absl::StatusOr<RecvResult> TcpLayer::Recv(ConnId conn, absl::Span<uint8_t> out, Instant now) {
  now = impl_->Monotonic(now);
  return impl_->WithConnection(
      conn, [&](Connection& c) -> absl::StatusOr<RecvResult> { return c.Recv(out, now); });
}
size_t TcpLayer::SendSpace(ConnId conn) const {
  const Connection* c = impl_->FindOwned(conn);
  return c != nullptr ? c->SendSpace() : 0;
}
size_t TcpLayer::RecvAvailable(ConnId conn) const {
  const Connection* c = impl_->FindOwned(conn);
  return c != nullptr ? c->RecvAvailable() : 0;
}
absl::Status TcpLayer::ShutdownWrite(ConnId conn, Instant now) {
  now = impl_->Monotonic(now);
  return impl_->WithConnection(conn,
                               [&](Connection& c) -> absl::Status { return c.ShutdownWrite(now); });
}
absl::Status TcpLayer::Close(ConnId conn, Instant now) {
  now = impl_->Monotonic(now);
  return impl_->WithConnection(conn, [&](Connection& c) -> absl::Status {
    c.Close(now);
    return absl::OkStatus();
  });
}
absl::Status TcpLayer::Abort(ConnId conn, Instant now) {
  now = impl_->Monotonic(now);
  return impl_->WithConnection(conn, [&](Connection& c) -> absl::Status {
    c.ReleaseHandle();  // first, so no event follows
    c.Abort(CloseReason::kAborted, now);
    return absl::OkStatus();
  });
}
absl::Status TcpLayer::SetNoDelay(ConnId conn, bool no_delay, Instant now) {
  now = impl_->Monotonic(now);
  return impl_->WithConnection(conn, [&](Connection& c) -> absl::Status {
    c.SetNoDelay(no_delay, now);
    return absl::OkStatus();
  });
}
absl::Status TcpLayer::SetCork(ConnId conn, bool cork, Instant now) {
  now = impl_->Monotonic(now);
  return impl_->WithConnection(conn, [&](Connection& c) -> absl::Status {
    c.SetCork(cork, now);
    return absl::OkStatus();
  });
}
absl::Status TcpLayer::SetSendBufferSize(ConnId conn, size_t bytes, Instant now) {
  if (absl::Status s = ValidateSendBuffer(bytes); !s.ok()) return s;
  return impl_->WithConnection(conn, [&](Connection& c) -> absl::Status {
    c.SetSendBufferSize(bytes);
    return absl::OkStatus();
  });
}
absl::Status TcpLayer::SetRecvBufferSize(ConnId conn, size_t bytes, Instant now) {
  if (absl::Status s = ValidateRecvBuffer(bytes); !s.ok()) return s;
  now = impl_->Monotonic(now);
  return impl_->WithConnection(conn, [&](Connection& c) -> absl::Status {
    c.SetRecvBufferSize(bytes, now);
    return absl::OkStatus();
  });
}
absl::Status TcpLayer::SetUserTimeout(ConnId conn, Duration timeout, Instant now) {
  if (timeout < Duration::Zero()) {
    return absl::InvalidArgumentError("user timeout must not be negative");
  }
  now = impl_->Monotonic(now);
  return impl_->WithConnection(conn, [&](Connection& c) -> absl::Status {
    c.SetUserTimeout(timeout, now);
    return absl::OkStatus();
  });
}
absl::Status TcpLayer::SetKeepalive(ConnId conn, const KeepaliveSettings& keepalive, Instant now) {
  if (absl::Status s = ValidateKeepalive(keepalive); !s.ok()) return s;
  now = impl_->Monotonic(now);
  return impl_->WithConnection(conn, [&](Connection& c) -> absl::Status {
    c.SetKeepalive(keepalive, now);
    return absl::OkStatus();
  });
}
absl::StatusOr<ConnectionOptions> TcpLayer::GetOptions(ConnId conn) const {
  const Connection* c = impl_->FindOwned(conn);
  if (c == nullptr) return absl::NotFoundError("no such connection");
  return c->options();
}
absl::Status TcpLayer::SetListenerOptions(ListenerId listener, const ConnectionOptions& options) {
  return impl_->SetListenerOptions(listener, options);
}
absl::StatusOr<ConnectionOptions> TcpLayer::GetListenerOptions(ListenerId listener) const {
  return impl_->GetListenerOptions(listener);
}
absl::StatusOr<TcpStats> TcpLayer::GetStats(ConnId conn) const {
  const Connection* c = impl_->FindOwned(conn);
  if (c == nullptr) return absl::NotFoundError("no such connection");
  return c->Stats();
}
std::array<size_t, kTcpStateCount> TcpLayer::StateCounts() const { return impl_->StateCounts(); }
size_t TcpLayer::connection_count() const { return impl_->connection_count(); }

void TcpLayer::OnPacket(const ip::Ipv4PacketInfo& info, absl::Span<const uint8_t> segment,
                        Instant now) {
  impl_->OnPacket(info, segment, impl_->Monotonic(now));
}
void TcpLayer::OnIcmpError(const ip::IcmpError& error, Instant now) {
  impl_->OnIcmpError(error, impl_->Monotonic(now));
}
void TcpLayer::Poll(Instant now) { impl_->Poll(impl_->Monotonic(now)); }
Instant TcpLayer::NextDeadline() const { return impl_->NextDeadline(); }
void TcpLayer::AbortAll(Instant now) { impl_->AbortAll(impl_->Monotonic(now)); }

}  // namespace tcpaas::tcp
