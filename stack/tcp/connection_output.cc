// What a connection sends and when: data segments under the send window, the congestion
// window, Nagle and sender SWS avoidance; FIN; ACKs with the receive window (receiver SWS
// avoidance), timestamps and SACK blocks; SYN and SYN-ACK; probes and RSTs.
#include <algorithm>

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

void Connection::Output(Instant now) {
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
  while (SendNextDataSegment(now)) {
  }
  if (ack_now_) SendAck(now);
  UpdatePersistTimer(now);
}

bool Connection::SendNextDataSegment(Instant now) {
  const size_t unsent = UnsentBytes();
  // The FIN still has to go from snd_nxt_ (first time, or again after a timeout).
  const bool fin_pending = fin_queued_ && snd_nxt_ <= FinSeq();
  if (unsent == 0 && !fin_pending) return false;

  const size_t seg_cap = SegmentSizeFor(OptionBytesForData());
  const uint32_t mss = SegmentSize();
  // The peer's window (RFC 9293 §3.8.6) and the congestion window (RFC 5681), which limited
  // transmit (RFC 3042) stretches by one segment for each of the first two duplicate ACKs.
  uint32_t cwnd = cc_ != nullptr ? cc_->cwnd() : mss;
  if (!in_recovery_ && dupacks_ > 0 && dupacks_ < 3) cwnd += dupacks_ * mss;
  const SeqNum wnd_edge = snd_una_ + snd_wnd_;
  const SeqNum cwnd_edge = snd_una_ + cwnd;
  const size_t wnd_room = wnd_edge > snd_nxt_ ? static_cast<size_t>(wnd_edge - snd_nxt_) : 0;
  const size_t cwnd_room = cwnd_edge > snd_nxt_ ? static_cast<size_t>(cwnd_edge - snd_nxt_) : 0;
  const size_t len = std::min({unsent, seg_cap, wnd_room, cwnd_room});
  // The FIN rides on the last data and needs one sequence number of window; it does not
  // count against cwnd.
  const bool fin = fin_pending && len == unsent && wnd_room > len;
  if (len == 0 && !fin) return false;

  const bool retransmission = snd_nxt_ < snd_max_;
  if (!retransmission && len < seg_cap && !fin) {
    if (len < unsent) {
      // Cut short by a window. Wait for the ACKs that open cwnd; for the peer's window,
      // RFC 9293 §3.8.6.2.1 (sender SWS avoidance): send only if it is at least half the
      // largest window the peer offered (the persist timer overrides, see below).
      if (cwnd_room < wnd_room && FlightSize() > 0) return false;
      if (len < max_snd_wnd_ / 2) return false;
    } else if (!options_.no_delay && snd_max_ > snd_una_) {
      // Nagle (RFC 9293 §3.7.4, RFC 1122 §4.2.3.4): a small segment waits while data is
      // unacknowledged.
      return false;
    }
  }

  if (!retransmission && FlightSize() == 0 && cc_ != nullptr &&
      last_data_sent_ != Instant::Never() && now - last_data_sent_ > rtt_.rto()) {
    cc_->OnIdleRestart(mss, now);  // RFC 5681 §4.1
  }
  uint8_t flags = wire::tcp_flags::kAck;
  if (fin) flags |= wire::tcp_flags::kFin;
  if (len > 0 && len == unsent) flags |= wire::tcp_flags::kPsh;
  TransmitSegment(snd_nxt_, len, flags, RetransmitKind::kTimeout, now);
  return true;
}

void Connection::RetransmitHead(RetransmitKind kind, Instant now) {
  // The first unacknowledged segment, whatever the windows (the peer accepts it: it starts at
  // its RCV.NXT).
  const SeqNum data_end = snd_buf_seq_ + static_cast<uint32_t>(send_buffer_.size());
  const SeqNum sent_end = SeqMin(snd_max_, data_end);
  const size_t outstanding = sent_end > snd_una_ ? static_cast<size_t>(sent_end - snd_una_) : 0;
  const size_t len = std::min(outstanding, SegmentSizeFor(OptionBytesForData()));
  uint8_t flags = wire::tcp_flags::kAck;
  if (FinSent() && snd_una_ + static_cast<uint32_t>(len) == FinSeq()) {
    flags |= wire::tcp_flags::kFin;
  }
  if (len == 0 && (flags & wire::tcp_flags::kFin) == 0) return;
  TransmitSegment(snd_una_, len, flags, kind, now);
}

void Connection::UpdatePersistTimer(Instant now) {
  // RFC 9293 §3.8.6.1: data waits, nothing is in flight (so no ACK will come to reopen the
  // window) and no retransmission timer runs: probe the window from time to time.
  const bool waiting = UnsentBytes() > 0 || (fin_queued_ && snd_nxt_ <= FinSeq());
  if (waiting && snd_max_ == snd_una_ && !timers_.armed(TimerKind::kRetransmit)) {
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
  } else if (!rtt_timing_) {
    rtt_timing_ = true;
    rtt_seq_ = end;
    rtt_sent_at_ = now;
  }
  if (end > snd_nxt_) snd_nxt_ = end;
  if (end > snd_max_) snd_max_ = end;
  last_data_sent_ = now;
  persist_backoff_ = 0;
  timers_.Cancel(TimerKind::kPersist);
  // RFC 6298 §5.1: start the timer if it is not running.
  timers_.ArmIfIdle(TimerKind::kRetransmit, now + rtt_.rto());
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
  (void)WriteSegment(*ctx_->ip, *ctx_->counters, tuple_, h, RingSlices{}, now);
  ++stats_.segments_sent;
}

void Connection::FillAckFields(wire::TcpHeader& h, Instant now) {
  h.flags |= wire::tcp_flags::kAck;
  h.ack = rcv_nxt_;
  h.window = WindowToAdvertise();
  if (ts_enabled_) h.options.timestamps = wire::TcpTimestamps{TsVal(now), ts_recent_};
  if (sack_enabled_ && recv_buffer_.has_out_of_order()) {
    sack_history_.Fill(rcv_nxt_, recv_buffer_.out_of_order(), MaxSackBlocks(), &h.options);
  }
}

void Connection::NoteAckSent() {
  last_ack_sent_ = rcv_nxt_;
  ack_now_ = false;
  rx_bytes_unacked_ = 0;
  timers_.Cancel(TimerKind::kDelayedAck);
}

// --- Windows and sizes -------------------------------------------------------------------

uint32_t Connection::AdvertisableWindowBytes() const {
  const uint32_t max_window = kMaxUnscaledWindow << rcv_wscale_;
  const uint32_t free = static_cast<uint32_t>(std::min<size_t>(recv_buffer_.window(), max_window));
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

bool Connection::WindowUpdateWorthSending() const {
  const uint32_t left = AdvertisedWindowLeft();
  const uint32_t offered = (AdvertisableWindowBytes() >> rcv_wscale_) << rcv_wscale_;
  return offered > left;  // AdvertisableWindowBytes() only grows by a worthwhile step
}

size_t Connection::OptionBytesForData() const {
  size_t bytes = ts_enabled_ ? kTimestampOptionBytes : 0;
  if (sack_enabled_ && recv_buffer_.has_out_of_order()) {
    const size_t blocks = std::min(recv_buffer_.out_of_order().size(), MaxSackBlocks());
    bytes += kSackOptionOverhead + blocks * kSackBlockBytes;
  }
  return bytes;
}

size_t Connection::SegmentSizeFor(size_t option_bytes) const {
  // RFC 9293 §3.7.1: Eff.snd.MSS = min(SendMSS + 20, MMS_S) - TCPhdrsize; snd_mss_ already
  // holds min(SendMSS, MMS_S - 20), so the options are what is left to subtract.
  return snd_mss_ > option_bytes ? snd_mss_ - option_bytes : 1;
}

size_t Connection::MaxSackBlocks() const {
  return ts_enabled_ ? kSackBlocksWithTimestamps : wire::kTcpMaxSackBlocks;
}

uint32_t Connection::TsVal(Instant now) const {
  // RFC 7323 §5.4: a 1 ms clock with a per-connection random offset (RFC 7323 §7.1).
  return ts_offset_ + static_cast<uint32_t>(now.nanos() / 1'000'000);
}

}  // namespace tcpaas::tcp
