// Opening, the user calls, state changes and stats of a connection.
#include "stack/tcp/connection.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tcpaas::tcp {
namespace {

RttEstimator::Config RttConfig(const TcpConfig& c) {
  return RttEstimator::Config{
      .initial_rto = c.rto_initial, .min_rto = c.rto_min, .max_rto = c.rto_max};
}

}  // namespace

Connection::Connection(ConnectionContext* ctx, const Identity& identity,
                       const ConnectionOptions& options)
    : ctx_(ctx),
      config_(*ctx->config),
      id_(identity.id),
      tuple_(identity.tuple),
      options_(options),
      iss_(identity.iss),
      snd_una_(identity.iss),
      snd_nxt_(identity.iss),
      snd_max_(identity.iss),
      snd_buf_seq_(identity.iss + 1),
      send_buffer_(options.send_buffer_bytes),
      push_mark_(identity.iss + 1),
      recv_buffer_(options.recv_buffer_bytes),
      ts_offset_(identity.ts_offset),
      rtt_(RttConfig(*ctx->config)),
      retrans_high_(identity.iss),
      cwnd_usage_seq_(identity.iss),
      recover_(identity.iss),
      high_rxt_(identity.iss) {
  local_mss_ = LocalMss(ctx_->ip->MaxPayload(tuple_.remote.addr), options_.mss_clamp);
  snd_mss_ = SendMss(kDefaultSendMss, ctx_->ip->MaxPayload(tuple_.remote.addr), options_.mss_clamp);
}

// --- Opening ---------------------------------------------------------------------------

absl::Status Connection::Open(Instant now) {
  // RFC 9293 §3.10.1, OPEN call in CLOSED state, active.
  state_ = TcpState::kSynSent;
  offer_ = ActiveOffer(options_, local_mss_, ReceiveWindowShift(WindowScaleBytes()));
  if (options_.connect_timeout > Duration::Zero()) {
    timers_.Arm(TimerKind::kConnect, now + options_.connect_timeout);
  }
  absl::Status status = SendSyn(now);
  ArmRetransmitTimer(now);
  return status;
}

void Connection::AcceptSyn(const Segment& syn, ListenerId listener, Instant now) {
  // RFC 9293 §3.10.7.2, LISTEN state, third check (SYN).
  passive_ = true;
  owned_ = false;
  listener_ = listener;
  state_ = TcpState::kSynReceived;
  irs_ = syn.seq;
  rcv_nxt_ = syn.seq + 1;
  rcv_adv_edge_ = rcv_nxt_;
  offer_ = PassiveOffer(options_, local_mss_, ReceiveWindowShift(WindowScaleBytes()), syn.options);
  ApplyNegotiated(Negotiate(offer_, syn.options));
  // RFC 7323 §2.2: the window of a SYN is never scaled.
  snd_wnd_ = syn.window;
  max_snd_wnd_ = snd_wnd_;
  snd_wl1_ = syn.seq;
  snd_wl2_ = iss_;
  if (ts_enabled_) {
    ts_recent_ = syn.options.timestamps->val;
    ts_recent_stamp_ = now;
  }
  last_received_ = now;
  // Data carried by the SYN is not accepted (no TCP Fast Open): the peer retransmits it.
  (void)SendSyn(now);
  ArmRetransmitTimer(now);
}

void Connection::ApplyNegotiated(const Negotiated& n) {
  peer_mss_ = n.peer_mss;
  snd_wscale_ = n.snd_shift;
  rcv_wscale_ = n.rcv_shift;
  ts_enabled_ = n.timestamps;
  sack_enabled_ = n.sack;
  snd_mss_ = SendMss(peer_mss_, ctx_->ip->MaxPayload(tuple_.remote.addr), options_.mss_clamp);
}

void Connection::EnterEstablished(Instant now) {
  state_ = TcpState::kEstablished;
  timers_.Cancel(TimerKind::kConnect);
  rto_retries_ = 0;
  if (cc_ == nullptr) {
    auto cc = MakeCongestionControl(options_.congestion_control, SegmentSize(),
                                    config_.initial_window_segments);
    if (!cc.ok()) {  // the layer validated the name; keep the connection usable anyway
      cc = MakeCongestionControl("newreno", SegmentSize(), config_.initial_window_segments);
    }
    if (cc.ok()) cc_ = std::move(*cc);
  }
  ArmKeepalive(now);
  last_data_recv_ = now;  // Linux starts tcpi_last_data_recv at the handshake
  Emit(TcpEventType::kEstablished);
  // A close requested during the handshake takes effect now (RFC 9293 §3.10.4).
  if (fin_queued_) state_ = TcpState::kFinWait1;
}

void Connection::OnAccepted() {
  owned_ = true;
  listener_ = ListenerId{};
  Emit(TcpEventType::kEstablished);
  if (recv_buffer_.readable() > 0) Emit(TcpEventType::kReadable);
  if (fin_received_) Emit(TcpEventType::kPeerFin);
}

bool Connection::AcceptsNewIncarnation(const Segment& syn) const {
  if (state_ != TcpState::kTimeWait || !syn.syn() || syn.has_ack() || syn.rst()) return false;
  // RFC 6191 §2: with timestamps on both, the new SYN's TSval must be above TS.Recent;
  // otherwise (RFC 1122 §4.2.2.13) its sequence number must be above RCV.NXT.
  if (ts_enabled_ && syn.options.timestamps.has_value()) {
    return static_cast<int32_t>(syn.options.timestamps->val - ts_recent_) > 0;
  }
  return syn.seq > rcv_nxt_;
}

void Connection::CloseTimeWait() {
  if (state_ != TcpState::kTimeWait) return;
  state_ = TcpState::kClosed;
  timers_.CancelAll();
}

// --- User calls ------------------------------------------------------------------------

absl::StatusOr<size_t> Connection::Send(absl::Span<const uint8_t> data, bool more, Instant now) {
  if (state_ == TcpState::kClosed) {
    return absl::FailedPreconditionError(
        absl::StrCat("connection closed (", std::string(CloseReasonName(close_reason_)), ")"));
  }
  if (fin_queued_) return absl::FailedPreconditionError("write side already shut down");
  const size_t taken = send_buffer_.Write(data);
  // Linux tcp_push(): the end of a write is pushed (PSH) unless MSG_MORE says more follows.
  if (taken > 0 && !more) push_mark_ = snd_buf_seq_ + static_cast<uint32_t>(send_buffer_.size());
  if (taken > 0 && Synchronized()) Output(now, more ? PushMode::kMore : PushMode::kNormal);
  return taken;
}

absl::StatusOr<RecvResult> Connection::Recv(absl::Span<uint8_t> out, Instant now) {
  RecvResult result;
  const uint32_t offerable_before = OfferableWindow();
  result.bytes = recv_buffer_.Read(out);
  result.eof = fin_received_ && recv_buffer_.readable() == 0;
  if (result.bytes == 0 && !result.eof && state_ == TcpState::kClosed) {
    return absl::AbortedError(absl::StrCat("connection closed before the peer's FIN (",
                                           std::string(CloseReasonName(close_reason_)), ")"));
  }
  if (result.bytes > 0 && Synchronized() && !fin_received_ &&
      WindowUpdateWorthSending(offerable_before)) {
    // RFC 9293 §3.8.6.2.2: tell the peer once the window opened by a useful amount.
    ack_now_ = true;
    Output(now);
  }
  // An idle connection costs only its control block (the buffer comes back on the next data).
  recv_buffer_.ReleaseIfEmpty();
  return result;
}

absl::Status Connection::ShutdownWrite(Instant now) {
  if (state_ == TcpState::kClosed) {
    return absl::FailedPreconditionError(
        absl::StrCat("connection closed (", std::string(CloseReasonName(close_reason_)), ")"));
  }
  if (fin_queued_) return absl::OkStatus();
  fin_queued_ = true;
  // RFC 9293 §3.10.4: the FIN follows every byte already queued. The state changes now
  // (as Linux does); in SYN-SENT/SYN-RECEIVED it changes once established.
  switch (state_) {
    case TcpState::kEstablished:
      state_ = TcpState::kFinWait1;
      break;
    case TcpState::kCloseWait:
      state_ = TcpState::kLastAck;
      break;
    default:
      break;
  }
  if (Synchronized()) Output(now);
  return absl::OkStatus();
}

void Connection::Close(Instant now) {
  ReleaseHandle();
  switch (state_) {
    case TcpState::kClosed:
    case TcpState::kListen:
      return;
    case TcpState::kSynSent:
      // RFC 9293 §3.10.4: delete the TCB; nothing was promised to the peer yet.
      EnterClosed(CloseReason::kNormal);
      return;
    default:
      break;
  }
  if (recv_buffer_.readable() > 0) {
    // Unread data is lost: tell the peer with a RST (RFC 2525 §2.17, as Linux does).
    Abort(CloseReason::kAborted, now);
    return;
  }
  (void)ShutdownWrite(now);
  if (state_ == TcpState::kFinWait2) {
    timers_.Arm(TimerKind::kFinWait2, now + config_.fin_wait2_timeout);
  }
}

void Connection::Abort(CloseReason reason, Instant now) {
  // RFC 9293 §3.10.5.
  switch (state_) {
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
    case TcpState::kFinWait1:
    case TcpState::kFinWait2:
    case TcpState::kCloseWait:
      SendReset(now);
      break;
    default:
      break;
  }
  if (state_ != TcpState::kClosed) EnterClosed(reason);
}

void Connection::SetNoDelay(bool no_delay, Instant now) {
  options_.no_delay = no_delay;
  // Linux: setting TCP_NODELAY pushes what is queued at once, even past a cork.
  if (no_delay && Synchronized()) Output(now, PushMode::kForce);
}

void Connection::SetCork(bool cork, Instant now) {
  cork_ = cork;
  // Linux: uncorking sends the partial segment, at once with TCP_NODELAY, else when Nagle
  // lets it go.
  if (!cork && Synchronized())
    Output(now, options_.no_delay ? PushMode::kForce : PushMode::kNormal);
}

void Connection::SetSendBufferSize(size_t bytes) {
  const size_t space_before = SendSpace();
  options_.send_buffer_bytes = bytes;
  // Queued data is never dropped: a smaller buffer takes nothing more until enough of it is
  // acknowledged (Linux SO_SNDBUF).
  send_buffer_.SetCapacity(bytes);
  if (SendSpace() > space_before) Emit(TcpEventType::kWritable);
}

void Connection::SetRecvBufferSize(size_t bytes, Instant now) {
  options_.recv_buffer_bytes = bytes;
  const uint32_t offerable_before = OfferableWindow();
  // The right edge we advertised never moves left (RFC 9293 §3.8.6.2.2, RFC 7323 §2.4): a
  // smaller buffer keeps room for it until the peer has used it. A larger one is offered
  // with the next segment, or at once if the peer may be stalled on our window. The window
  // scale stays what the SYN announced.
  // In SYN-SENT the promise is our SYN's window; RCV.NXT is not known yet.
  const size_t promised =
      state_ == TcpState::kSynSent ? syn_window_ : recv_buffer_.readable() + AdvertisedWindowLeft();
  recv_buffer_.SetCapacity(bytes, promised);
  if (Synchronized() && !fin_received_ && WindowUpdateWorthSending(offerable_before)) {
    ack_now_ = true;
    Output(now);
  }
}

void Connection::SetUserTimeout(Duration timeout, Instant now) {
  options_.user_timeout = timeout;
  // RFC 5482 §3: a new value applies to data already outstanding, counted from now.
  if (timeout <= Duration::Zero()) {
    timers_.Cancel(TimerKind::kUserTimeout);
  } else if (Synchronized() && snd_max_ != snd_una_) {
    timers_.Arm(TimerKind::kUserTimeout, now + timeout);
  }
}

void Connection::SetKeepalive(const KeepaliveSettings& keepalive, Instant now) {
  options_.keepalive = keepalive.enabled;
  options_.keepalive_idle = keepalive.idle;
  options_.keepalive_interval = keepalive.interval;
  options_.keepalive_probes = keepalive.probes;
  keepalive_probes_sent_ = 0;
  if (!keepalive.enabled || !Synchronized()) {
    timers_.Cancel(TimerKind::kKeepalive);  // EnterEstablished() arms it once synchronized
    return;
  }
  // As Linux: the idle time counts from the last segment received.
  timers_.Arm(TimerKind::kKeepalive, std::max(now, last_received_ + keepalive.idle));
}

size_t Connection::SendSpace() const {
  if (state_ == TcpState::kClosed || fin_queued_) return 0;
  return send_buffer_.free();
}

TcpStats Connection::Stats() const {
  TcpStats s = stats_;
  s.state = state_;
  s.tuple = tuple_;
  s.srtt = rtt_.srtt();
  s.rttvar = rtt_.rttvar();
  s.rto = rtt_.rto();
  s.snd_mss = SegmentSize();
  s.rcv_mss = rcv_mss_estimate_ != 0 ? rcv_mss_estimate_ : local_mss_;
  if (cc_ != nullptr) {
    s.cwnd = cc_->cwnd();
    s.ssthresh = cc_->ssthresh();
  }
  s.snd_wnd = snd_wnd_;
  s.rcv_wnd = AdvertisedWindowLeft();
  s.snd_wscale = snd_wscale_;
  s.rcv_wscale = rcv_wscale_;
  s.sack_enabled = sack_enabled_;
  s.timestamps_enabled = ts_enabled_;
  s.send_buffer_used = send_buffer_.size();
  s.recv_buffer_used = recv_buffer_.readable();
  s.bytes_in_flight = FlightSize();
  s.close_reason = close_reason_;
  s.ca_state = CaState();
  s.unacked_segments = Segments(FlightSize());
  s.reordering = reordering_.segments();
  if (sack_enabled_) {
    // From the scoreboard (RFC 6675): SACKed; lost (marked by RACK, RFC 8985, or everything
    // outstanding at a timeout), not SACKed and not retransmitted since; retransmitted and neither
    // SACKed nor acknowledged.
    s.sacked_segments = Segments(scoreboard_.sacked_bytes());
    if (in_loss_ || in_recovery_) {
      s.lost_segments = Segments(tx_log_.LostBytes(scoreboard_));
    }
    s.retrans_segments = Segments(tx_log_.RetransmittedBytes(scoreboard_));
  } else {
    if (in_loss_) {
      // Linux tcp_enter_loss marks everything outstanding at the timeout lost.
      const SeqNum end = SeqMin(recover_ + 1, snd_max_);
      s.lost_segments = end > snd_una_ ? Segments(static_cast<uint32_t>(end - snd_una_)) : 0;
    } else if (in_recovery_) {
      s.lost_segments = 1;  // NewReno: the head, which fast retransmit resent
    }
    s.retrans_segments =
        retrans_high_ > snd_una_ ? Segments(static_cast<uint32_t>(retrans_high_ - snd_una_)) : 0;
  }
  s.advmss = local_mss_;
  s.rto_backoff = static_cast<uint32_t>(rtt_.backoffs());
  s.probes = static_cast<uint32_t>(std::max(probes_unanswered_, keepalive_probes_sent_));
  s.last_data_recv = last_data_recv_;
  return s;
}

TcpCaState Connection::CaState() const {
  if (in_loss_) return TcpCaState::kLoss;
  if (in_recovery_) return TcpCaState::kRecovery;
  if (dupacks_ > 0 || !scoreboard_.empty()) return TcpCaState::kDisorder;
  return TcpCaState::kOpen;
}

uint32_t Connection::Segments(uint32_t bytes) const {
  const uint32_t mss = std::max<uint32_t>(SegmentSize(), 1);
  return static_cast<uint32_t>((uint64_t{bytes} + mss - 1) / mss);
}

size_t Connection::WindowScaleBytes() const {
  return options_.window_scale_buffer_bytes != 0 ? options_.window_scale_buffer_bytes
                                                 : recv_buffer_.capacity();
}

// --- State changes -----------------------------------------------------------------------

void Connection::EnterClosed(CloseReason reason) {
  state_ = TcpState::kClosed;
  timers_.CancelAll();
  Finish(reason);
  // Unacknowledged data will never be sent now.
  send_buffer_.Consume(send_buffer_.size());
  send_buffer_.ReleaseIfEmpty();
  recv_buffer_.ReleaseIfEmpty();
}

void Connection::EnterTimeWait(Instant now) {
  // RFC 9293 §3.10.7.4: turn off the other timers, wait 2 MSL.
  state_ = TcpState::kTimeWait;
  timers_.CancelAll();
  timers_.Arm(TimerKind::kTimeWait, now + config_.time_wait);
  Finish(CloseReason::kNormal);
  // Nothing more is sent, and only unread data is kept: TIME-WAIT costs just the TCB.
  send_buffer_.ReleaseIfEmpty();
  recv_buffer_.ReleaseIfEmpty();
}

void Connection::Finish(CloseReason reason) {
  if (finished_) return;
  finished_ = true;
  close_reason_ = reason;
  ++ctx_->counters->tcp_closes[static_cast<size_t>(reason)];
  Emit(TcpEventType::kClosed);
}

void Connection::Emit(TcpEventType type) {
  if (!owned_) return;
  ctx_->events->Push(TcpEvent{
      .type = type, .conn = id_, .reason = close_reason_, .bytes_acked = stats_.bytes_acked});
}

CloseReason Connection::TimeoutReason(CloseReason fallback) const {
  return soft_error_ ? CloseReason::kUnreachable : fallback;
}

// --- Sequence-space helpers --------------------------------------------------------------

bool Connection::Synchronized() const {
  switch (state_) {
    case TcpState::kClosed:
    case TcpState::kListen:
    case TcpState::kSynSent:
    case TcpState::kSynReceived:
      return false;
    default:
      return true;
  }
}

size_t Connection::UnsentBytes() const {
  const SeqNum data_end = snd_buf_seq_ + static_cast<uint32_t>(send_buffer_.size());
  const SeqNum from = SeqMax(snd_nxt_, snd_buf_seq_);
  return data_end > from ? static_cast<size_t>(data_end - from) : 0;
}

uint32_t Connection::AdvertisedWindowLeft() const {
  return rcv_adv_edge_ > rcv_nxt_ ? static_cast<uint32_t>(rcv_adv_edge_ - rcv_nxt_) : 0;
}

}  // namespace tcpaas::tcp
