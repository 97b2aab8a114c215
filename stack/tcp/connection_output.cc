// What a connection sends and when: data segments under the send window, the congestion
// window, Nagle and sender SWS avoidance; FIN; ACKs with the receive window (receiver SWS
// avoidance), timestamps and SACK blocks; SYN and SYN-ACK; probes and RSTs.
#include <algorithm>
#include <optional>

#include "stack/tcp/connection.h"
#include "stack/tcp/segment_writer.h"

namespace tcpaas::tcp {
namespace {

constexpr uint32_t kMaxUnscaledWindow = 65535;
// RFC 2018 §4 with RFC 7323: 3 SACK blocks fit beside the timestamps option, 4 without.
constexpr size_t kSackBlocksWithTimestamps = 3;
constexpr size_t kSackBlockBytes = 8;
constexpr size_t kSackOptionOverhead = 4;  // nop, nop, kind, length

}  // namespace

// --- Deciding ----------------------------------------------------------------------------

void Connection::Output(Instant now, PushMode mode) {
  switch (state_) {
    case TcpState::kClosed:
    case TcpState::kListen:
    case TcpState::kSynSent:
      return;
    case TcpState::kSynReceived:
    case TcpState::kFinWait2:
    case TcpState::kTimeWait:
      if (ack_now_) SendAck(now);
      return;
    default:
      break;
  }
  MaybeRestartAfterIdle(now);
  FollowPathMtu();
  if (ScoreboardSending() && cc_ != nullptr) {
    // RFC 6675 §5 (and §5.1 after a timeout): pipe, not the sequence space, limits sending.
    SendFromScoreboard(mode, now);
    if (ack_now_) SendAck(now);
    UpdatePersistTimer(now);
    return;
  }
  bool cwnd_blocked = false;
  bool sent = false;
  std::optional<DataSegment> seg = PlanDataSegment(snd_nxt_, snd_max_, mode, &cwnd_blocked);
  while (seg.has_value()) {
    const SeqNum end = seg->seq + static_cast<uint32_t>(seg->len) + (seg->fin ? 1 : 0);
    std::optional<DataSegment> next =
        PlanDataSegment(end, SeqMax(snd_max_, end), mode, &cwnd_blocked);
    uint8_t flags = wire::tcp_flags::kAck;
    if (seg->fin) flags |= wire::tcp_flags::kFin;
    // PSH like Linux: on the last segment of each burst a write or an ACK sends, unless its
    // bytes were written with "more to come" (MSG_MORE) and nothing pushed them since, and
    // (as the packetdrill corpus shows Linux doing) not on what duplicate ACKs clock out
    // (limited transmit, RFC 3042) or recovery sends.
    if (!next.has_value() && seg->len > 0 && dupacks_ == 0 && !in_recovery_ &&
        seg->seq + static_cast<uint32_t>(seg->len) <= push_mark_) {
      flags |= wire::tcp_flags::kPsh;
    }
    TransmitSegment(seg->seq, seg->len, flags, RetransmitKind::kTimeout, now);
    sent = true;
    seg = next;
  }
  if (cc_ != nullptr && (sent || cwnd_blocked)) {
    ValidateCwnd(cwnd_blocked || FlightSize() >= cc_->cwnd());
  }
  if (ack_now_) SendAck(now);
  UpdatePersistTimer(now);
}

void Connection::MaybeRestartAfterIdle(Instant now) {
  // RFC 5681 §4.1: after an idle period longer than the RTO, new data starts from the
  // restart window.
  if (cc_ == nullptr || FlightSize() != 0 || snd_nxt_ != snd_max_ || UnsentBytes() == 0) return;
  if (last_data_sent_ == Instant::Never() || now - last_data_sent_ <= rtt_.rto()) return;
  cc_->OnIdleRestart(SegmentSize(), now);
}

std::optional<Connection::DataSegment> Connection::PlanDataSegment(
    SeqNum nxt, SeqNum max, PushMode mode, bool* cwnd_blocked,
    std::optional<size_t> cwnd_room_override) const {
  const SeqNum data_end = snd_buf_seq_ + static_cast<uint32_t>(send_buffer_.size());
  const SeqNum from = SeqMax(nxt, snd_buf_seq_);
  const size_t unsent = data_end > from ? static_cast<size_t>(data_end - from) : 0;
  // The FIN still has to go from `nxt` (first time, or again after a timeout).
  const bool fin_pending = fin_queued_ && nxt <= FinSeq();
  if (unsent == 0 && !fin_pending) return std::nullopt;

  const size_t seg_cap = SegmentSizeFor(OptionBytesForData());
  const uint32_t mss = SegmentSize();
  const uint32_t flight = static_cast<uint32_t>(max - snd_una_);
  // The peer's window (RFC 9293 §3.8.6) and the congestion window (RFC 5681), which limited
  // transmit (RFC 3042) stretches by one segment for each of the first two duplicate ACKs.
  uint32_t cwnd = cc_ != nullptr ? cc_->cwnd() : mss;
  if (!in_recovery_ && dupacks_ > 0 && dupacks_ < 3) cwnd += dupacks_ * mss;
  const SeqNum wnd_edge = snd_una_ + snd_wnd_;
  const SeqNum cwnd_edge = snd_una_ + cwnd;
  const size_t wnd_room = wnd_edge > nxt ? static_cast<size_t>(wnd_edge - nxt) : 0;
  const size_t cwnd_room = cwnd_room_override.value_or(
      cwnd_edge > nxt ? static_cast<size_t>(cwnd_edge - nxt) : size_t{0});
  const size_t len = std::min({unsent, seg_cap, wnd_room, cwnd_room});
  // The FIN rides on the last data and needs one sequence number of window; it does not
  // count against cwnd.
  const bool fin = fin_pending && len == unsent && wnd_room > len;
  if (len == 0 && !fin) {
    if (unsent > 0 && cwnd_room < wnd_room) *cwnd_blocked = true;
    return std::nullopt;
  }

  const bool retransmission = nxt < max;
  if (!retransmission && len < seg_cap && !fin) {
    if (len < unsent) {
      // Cut short by a window. Wait for the ACKs that open cwnd; for the peer's window,
      // RFC 9293 §3.8.6.2.1 (sender SWS avoidance): send only if it is at least half the
      // largest window the peer offered (the persist timer overrides, see below).
      if (cwnd_room < wnd_room && flight > 0) {
        *cwnd_blocked = true;
        return std::nullopt;
      }
      if (len < max_snd_wnd_ / 2) return std::nullopt;
    } else if (mode != PushMode::kForce) {
      // The last, partial segment of what is queued. TCP_CORK and MSG_MORE hold it for more
      // data (the persist timer sends it if nothing else does, as Linux's probe timer does).
      if (mode == PushMode::kMore || cork_) return std::nullopt;
      // Nagle (RFC 9293 §3.7.4, RFC 1122 §4.2.3.4): a small segment waits while data is
      // unacknowledged.
      if (!options_.no_delay && flight > 0) return std::nullopt;
    }
  }
  return DataSegment{.seq = nxt, .len = len, .fin = fin};
}

void Connection::ValidateCwnd(bool cwnd_limited) {
  // Linux tcp_cwnd_validate: remember, per window of data, whether the sender used all of
  // cwnd and the largest flight it had; IsCwndLimited() asks this when ACKs come.
  const uint32_t flight = FlightSize();
  if (snd_una_ >= cwnd_usage_seq_ || cwnd_limited || (!cwnd_limited_ && flight > max_flight_)) {
    cwnd_limited_ = cwnd_limited;
    max_flight_ = flight;
    cwnd_usage_seq_ = snd_max_;
  }
}

bool Connection::IsCwndLimited() const {
  // RFC 7661 §4.3 and Linux tcp_is_cwnd_limited: grow cwnd only while it limits the sender;
  // in slow start, also while it is below twice the largest flight of the current window,
  // so an application-limited sender still reaches what it used.
  if (cc_ == nullptr) return false;
  if (cwnd_limited_) return true;
  if (cc_->cwnd() < cc_->ssthresh()) return cc_->cwnd() < 2 * uint64_t{max_flight_};
  return false;
}

void Connection::RetransmitHead(RetransmitKind kind, Instant now) {
  FollowPathMtu();
  // The first unacknowledged segment, whatever the windows (the peer accepts it: it starts at
  // its RCV.NXT), but not into bytes the peer SACKed (RFC 6675 §4 NextSeg()).
  size_t max_len = SegmentSizeFor(OptionBytesForData());
  const SeqRange* sacked = scoreboard_.RangeAtOrAbove(snd_una_);
  if (sacked != nullptr && sacked->left > snd_una_) {
    max_len = std::min<size_t>(max_len, static_cast<size_t>(sacked->left - snd_una_));
  }
  const uint32_t sent = RetransmitFrom(snd_una_, max_len, kind, now);
  if (sent > 0) high_rxt_ = SeqMax(high_rxt_, snd_una_ + sent);
}

uint32_t Connection::RetransmitFrom(SeqNum seq, size_t max_len, RetransmitKind kind, Instant now) {
  const SeqNum data_end = snd_buf_seq_ + static_cast<uint32_t>(send_buffer_.size());
  const SeqNum sent_end = SeqMin(snd_max_, data_end);
  const size_t outstanding = sent_end > seq ? static_cast<size_t>(sent_end - seq) : 0;
  const size_t len = std::min({outstanding, max_len, SegmentSizeFor(OptionBytesForData())});
  uint8_t flags = wire::tcp_flags::kAck;
  if (FinSent() && seq + static_cast<uint32_t>(len) == FinSeq()) flags |= wire::tcp_flags::kFin;
  const bool fin = (flags & wire::tcp_flags::kFin) != 0;
  if (len == 0 && !fin) return 0;
  // Linux retransmits a segment with the flags it had; the one that ended a pushed write
  // had PSH.
  if (len > 0 && seq + static_cast<uint32_t>(len) == push_mark_) flags |= wire::tcp_flags::kPsh;
  TransmitSegment(seq, len, flags, kind, now);
  return static_cast<uint32_t>(len) + (fin ? 1 : 0);
}

void Connection::UpdatePersistTimer(Instant now) {
  // RFC 9293 §3.8.6.1: data waits, nothing is in flight (so no ACK will come to reopen the
  // window) and no retransmission timer runs: probe the window from time to time.
  const bool waiting = UnsentBytes() > 0 || (fin_queued_ && snd_nxt_ <= FinSeq());
  if (waiting && snd_max_ == snd_una_ && !timers_.armed(TimerKind::kRetransmit) &&
      !timers_.armed(TimerKind::kLossProbe)) {
    if (!timers_.armed(TimerKind::kPersist)) {
      Duration interval = rtt_.rto();
      for (int i = 0; i < persist_backoff_ && interval < config_.rto_max; ++i) {
        interval = interval * 2;
      }
      timers_.Arm(TimerKind::kPersist, now + Min(interval, config_.rto_max));
    }
  } else {
    timers_.Cancel(TimerKind::kPersist);
  }
}

// --- Building segments -------------------------------------------------------------------

void Connection::TransmitSegment(SeqNum seq, size_t len, uint8_t flags, RetransmitKind kind,
                                 Instant now) {
  wire::TcpHeader h;
  h.seq = seq;
  h.flags = flags;
  FillAckFields(h, now);
  RingSlices payload;
  if (len > 0) payload = send_buffer_.Peek(static_cast<size_t>(seq - snd_buf_seq_), len);
  const bool fin = (flags & wire::tcp_flags::kFin) != 0;
  const SeqNum end = seq + static_cast<uint32_t>(len) + (fin ? 1 : 0);
  const bool retransmission = seq < snd_max_;

  (void)WriteSegment(*ctx_->ip, *ctx_->counters, tuple_, h, payload, now);
  NoteAckSent();
  ++stats_.segments_sent;
  stats_.bytes_sent += len;
  if (retransmission) {
    stats_.bytes_retransmitted += std::min<size_t>(len, static_cast<size_t>(snd_max_ - seq));
    ++stats_.retransmits[static_cast<size_t>(kind)];
    ++ctx_->counters->tcp_retransmits[static_cast<size_t>(kind)];
    rtt_timing_ = false;  // Karn's rule (RFC 6298 §3)
    retrans_high_ = SeqMax(retrans_high_, end);
  } else if (!rtt_timing_) {
    rtt_timing_ = true;
    rtt_seq_ = end;
    rtt_sent_at_ = now;
  }
  if (end > snd_nxt_) snd_nxt_ = end;
  if (end > snd_max_) snd_max_ = end;
  // Linux tcp_event_data_sent: data sent within the delayed-ACK time of data received is a
  // reply; the connection is interactive (ping-pong) and its ACKs ride on the replies.
  if (len > 0 && data_seen_ && now - last_data_recv_ < config_.delayed_ack) pingpong_ = true;
  last_data_sent_ = now;
  persist_backoff_ = 0;
  timers_.Cancel(TimerKind::kPersist);
  // RACK (RFC 8985 §6.1) needs each segment's last transmission time.
  if (sack_enabled_ && end > seq) tx_log_.OnTransmit(seq, end, now);
  if (!retransmission && !sending_probe_ && TlpAllowed()) {
    // RFC 8985 §7.2: (re)start the probe timer after new data that is not itself a probe.
    ArmRetransmitOrProbe(now);
  } else if (!timers_.armed(TimerKind::kRetransmit) && !timers_.armed(TimerKind::kLossProbe)) {
    // RFC 6298 §5.1: start the timer if it is not running.
    timers_.Arm(TimerKind::kRetransmit, now + rtt_.rto());
  }
  if (options_.user_timeout > Duration::Zero()) {
    timers_.ArmIfIdle(TimerKind::kUserTimeout, now + options_.user_timeout);
  }
}

absl::Status Connection::SendSyn(Instant now) {
  wire::TcpHeader h;
  h.seq = iss_;
  uint32_t ts_ecr = 0;
  if (state_ == TcpState::kSynSent) {
    h.flags = wire::tcp_flags::kSyn;
  } else {
    h.flags = wire::tcp_flags::kSyn | wire::tcp_flags::kAck;
    h.ack = rcv_nxt_;
    ts_ecr = ts_recent_;
  }
  // RFC 7323 §2.2: the window in a SYN or SYN-ACK is never scaled.
  const uint32_t window =
      std::min<uint32_t>(static_cast<uint32_t>(recv_buffer_.window()), kMaxUnscaledWindow);
  h.window = static_cast<uint16_t>(window);
  syn_window_ = std::max(syn_window_, window);
  h.options = SynOptions(offer_, TsVal(now), ts_ecr);
  if (state_ == TcpState::kSynReceived) {
    rcv_adv_edge_ = SeqMax(rcv_adv_edge_, rcv_nxt_ + window);
    last_ack_sent_ = rcv_nxt_;
    ack_now_ = false;
  }

  const bool retransmission = snd_max_ != iss_;
  absl::Status status = WriteSegment(*ctx_->ip, *ctx_->counters, tuple_, h, RingSlices{}, now);
  ++stats_.segments_sent;
  if (retransmission) {
    ++stats_.retransmits[static_cast<size_t>(RetransmitKind::kTimeout)];
    ++ctx_->counters->tcp_retransmits[static_cast<size_t>(RetransmitKind::kTimeout)];
    rtt_timing_ = false;  // Karn's rule
  } else {
    rtt_timing_ = true;
    rtt_seq_ = iss_ + 1;
    rtt_sent_at_ = now;
  }
  snd_nxt_ = iss_ + 1;
  snd_max_ = iss_ + 1;
  return status;
}

void Connection::SendAck(Instant now) {
  // <SEQ=SND.NXT> in RFC 9293 terms. Our snd_nxt_ may have fallen back for a go-back-N
  // retransmission; the peer's RCV.NXT can be anywhere up to snd_max_, and an ACK below it
  // would be unacceptable there (its ACK field ignored), so ACKs carry snd_max_.
  wire::TcpHeader h;
  h.seq = snd_max_;
  h.flags = wire::tcp_flags::kAck;
  FillAckFields(h, now);
  (void)WriteSegment(*ctx_->ip, *ctx_->counters, tuple_, h, RingSlices{}, now);
  NoteAckSent();
  ++stats_.segments_sent;
}

void Connection::SendChallengeAck(Instant now) {
  // RFC 5961 §7: at most config.challenge_ack_per_second for the whole stack.
  if (!ctx_->challenge_acks->Allow(now)) {
    ctx_->counters->Drop(DropReason::kTcpChallengeAckLimited);
    return;
  }
  ++ctx_->counters->tcp_challenge_acks;
  SendAck(now);
}

void Connection::SendProbe(Instant now) {
  // An already acknowledged sequence number: the peer must answer with an ACK that carries
  // its current window (RFC 9293 §3.8.6.1, RFC 1122 §4.2.3.6; the form Linux uses).
  wire::TcpHeader h;
  h.seq = snd_una_ - 1;
  h.flags = wire::tcp_flags::kAck;
  FillAckFields(h, now);
  (void)WriteSegment(*ctx_->ip, *ctx_->counters, tuple_, h, RingSlices{}, now);
  NoteAckSent();
  ++stats_.segments_sent;
}

void Connection::SendReset(Instant now) {
  // RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST> (snd_max_, see SendAck); with ACK as Linux
  // sends it.
  wire::TcpHeader h;
  h.seq = snd_max_;
  h.ack = rcv_nxt_;
  h.flags = wire::tcp_flags::kRst | wire::tcp_flags::kAck;
  // RFC 7323 §3.2: timestamps SHOULD be sent in a RST too (Linux does).
  if (ts_enabled_) h.options.timestamps = wire::TcpTimestamps{TsVal(now), ts_recent_};
  (void)WriteSegment(*ctx_->ip, *ctx_->counters, tuple_, h, RingSlices{}, now);
  ++stats_.segments_sent;
}

void Connection::FillAckFields(wire::TcpHeader& h, Instant now) {
  h.flags |= wire::tcp_flags::kAck;
  h.ack = rcv_nxt_;
  h.window = WindowToAdvertise();
  if (ts_enabled_) h.options.timestamps = wire::TcpTimestamps{TsVal(now), ts_recent_};
  if (sack_enabled_ && (recv_buffer_.has_out_of_order() || dsack_.has_value())) {
    sack_history_.Fill(rcv_nxt_, recv_buffer_.out_of_order(), MaxSackBlocks(), dsack_, &h.options);
  }
}

void Connection::NoteDuplicateData(SeqNum left, SeqNum right, bool extend) {
  // RFC 2883 §4: only with SACK negotiated; one block per ACK.
  if (!sack_enabled_ || !(left < right)) return;
  if (extend && dsack_.has_value()) {
    if (right < dsack_->left || dsack_->right < left) return;  // not contiguous: keep
    dsack_ = wire::SackBlock{SeqMin(left, dsack_->left), SeqMax(right, dsack_->right)};
    return;
  }
  dsack_ = wire::SackBlock{left, right};
}

void Connection::NoteAckSent() {
  last_ack_sent_ = rcv_nxt_;
  ack_now_ = false;
  // RFC 2883 §4: a D-SACK block is reported in one ACK only. Counted here, where it left in
  // this ACK, so a duplicate replaced by a later one before any ACK went out is not counted.
  if (dsack_.has_value()) ++stats_.dsacks_sent;
  dsack_.reset();
  rx_bytes_unacked_ = 0;
  if (quick_acks_ > 0) --quick_acks_;  // Linux tcp_event_ack_sent / tcp_dec_quickack_mode
  // What we advertise now bounds what a buffer shrunk earlier must still make room for.
  recv_buffer_.LowerReserve(recv_buffer_.readable() + AdvertisedWindowLeft());
  timers_.Cancel(TimerKind::kDelayedAck);
}

// --- Windows and sizes -------------------------------------------------------------------

uint32_t Connection::OfferableWindow() const {
  const uint32_t max_window = kMaxUnscaledWindow << rcv_wscale_;
  return static_cast<uint32_t>(std::min<size_t>(recv_buffer_.window(), max_window));
}

uint32_t Connection::AdvertisableWindowBytes() const {
  const uint32_t free = OfferableWindow();
  const uint32_t left = AdvertisedWindowLeft();
  if (free <= left) return left;
  // RFC 9293 §3.8.6.2.2 (receiver SWS avoidance): move the right edge only by at least
  // min(half the buffer, one MSS).
  const uint32_t step =
      std::min<uint32_t>(static_cast<uint32_t>(recv_buffer_.capacity() / 2), local_mss_);
  if (free - left < std::max<uint32_t>(step, 1)) return left;
  return free;
}

uint16_t Connection::WindowToAdvertise() {
  const uint32_t left = AdvertisedWindowLeft();
  uint32_t field = std::min(AdvertisableWindowBytes() >> rcv_wscale_, kMaxUnscaledWindow);
  // Scaling rounds down; never let that move the right edge left (RFC 7323 §2.4).
  if ((field << rcv_wscale_) < left) {
    const uint32_t unit = uint32_t{1} << rcv_wscale_;
    field = std::min((left + unit - 1) >> rcv_wscale_, kMaxUnscaledWindow);
  }
  rcv_adv_edge_ = SeqMax(rcv_adv_edge_, rcv_nxt_ + (field << rcv_wscale_));
  return static_cast<uint16_t>(field);
}

bool Connection::WindowUpdateWorthSending(uint32_t offerable_before_read) const {
  const uint32_t left = AdvertisedWindowLeft();
  const uint32_t offered = (AdvertisableWindowBytes() >> rcv_wscale_) << rcv_wscale_;
  // Receiver SWS avoidance: AdvertisableWindowBytes() moves the right edge only by at least
  // min(buffer / 2, MSS) (RFC 9293 §3.8.6.2.2).
  if (offered <= left) return false;
  // The peer may be stalled on our window: it was zero or below one segment. Tell it.
  if (left < RcvMss()) return true;
  // Otherwise the peer can go on sending, and the ACKs its data gets carry the new window.
  // A segment of its own is worth it only when, as Linux's __tcp_cleanup_rbuf has it, the
  // window left is at most half the largest we can offer and at least doubles; and only
  // for what this read opened (at least min(buffer / 2, MSS) more than we could offer
  // before it), not for a window the SYN-ACK capped at 65535 that any ACK will widen.
  const uint64_t largest =
      std::min<uint64_t>(recv_buffer_.capacity(), uint64_t{kMaxUnscaledWindow} << rcv_wscale_);
  const uint32_t step = std::max<uint32_t>(
      std::min<uint32_t>(static_cast<uint32_t>(recv_buffer_.capacity() / 2), local_mss_), 1);
  return 2 * uint64_t{left} <= largest && offered >= 2 * uint64_t{left} &&
         offered >= uint64_t{std::max(left, offerable_before_read)} + step;
}

uint32_t Connection::RcvMss() const {
  // Linux tcp_initialize_rcv_mss starts from min(our MSS, 536) and tcp_measure_rcv_mss
  // raises it to the largest segment seen (never above our MSS).
  return std::max(rcv_mss_estimate_, std::min<uint32_t>(local_mss_, kDefaultSendMss));
}

size_t Connection::OptionBytesForData() const {
  size_t bytes = ts_enabled_ ? kTimestampOptionBytes : 0;
  if (sack_enabled_ && (recv_buffer_.has_out_of_order() || dsack_.has_value())) {
    const size_t blocks = std::min(
        recv_buffer_.out_of_order().size() + (dsack_.has_value() ? 1 : 0), MaxSackBlocks());
    bytes += kSackOptionOverhead + blocks * kSackBlockBytes;
  }
  return bytes;
}

size_t Connection::SegmentSizeFor(size_t option_bytes) const {
  // RFC 9293 §3.7.1: Eff.snd.MSS = min(SendMSS + 20, MMS_S) - TCPhdrsize; snd_mss_ already
  // holds min(SendMSS, MMS_S - 20) (see FollowPathMtu), so the options are what is left.
  return snd_mss_ > option_bytes ? snd_mss_ - option_bytes : 1;
}

void Connection::FollowPathMtu() {
  // MMS_S is read again before each burst: the IP layer may have lowered the path MTU
  // (RFC 1191 §6.4) for an ICMP error this connection did not believe (RFC 5927 §4.1) or for
  // another connection to the same destination, and a segment beyond it would never leave.
  const uint16_t path_mss =
      SendMss(peer_mss_, ctx_->ip->MaxPayload(tuple_.remote.addr), options_.mss_clamp);
  snd_mss_ = std::min(snd_mss_, path_mss);
}

size_t Connection::MaxSackBlocks() const {
  return ts_enabled_ ? kSackBlocksWithTimestamps : wire::kTcpMaxSackBlocks;
}

uint32_t Connection::TsVal(Instant now) const {
  // RFC 7323 §5.4: a 1 ms clock with a per-connection random offset (RFC 7323 §7.1).
  return ts_offset_ + static_cast<uint32_t>(now.nanos() / 1'000'000);
}

}  // namespace tcpaas::tcp
