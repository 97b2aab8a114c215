// RACK-TLP loss detection (RFC 8985) for connections that negotiated SACK: RACK marks
// segments lost by time (a segment sent later was delivered, §6), and TLP sends a probe when
// the tail of a flight goes unacknowledged (§7), so that tail losses are repaired by fast
// recovery rather than by a retransmission timeout. What is marked lost is retransmitted by
// the RFC 6675 sender in connection_sack.cc (NextSeg() rule 1).
#include <algorithm>

#include "stack/tcp/connection.h"

namespace tcpaas::tcp {
namespace {

// RFC 8985 §7.2 WCDelAckT: the worst-case delayed-ACK time of the receiver.
constexpr Duration kWorstCaseDelayedAck = Duration::Millis(200);
// RFC 8985 §7.2: the PTO when there is no RTT sample yet.
constexpr Duration kProbeTimeoutWithoutRtt = Duration::Seconds(1);
// The shortest PTO (Linux's floor before it used TCP_TIMEOUT_MIN): a tiny SRTT (a loopback
// path, a zero-time test) must not make the probe race the ACKs already on their way.
constexpr Duration kMinProbeTimeout = Duration::Millis(10);

}  // namespace

void Connection::RackOnAck(SeqNum ack, bool dsack, SeqNum prior_fack, Instant now) {
  // RFC 8985 §6.2 steps 2 and 3, for each segment this ACK delivered, cumulatively or by
  // SACK, in ascending order of end_seq (the log looks only where the ACK changed something).
  // The same records tell the degree of reordering: the lowest never-retransmitted one below
  // the highest SACK before this ACK arrived late.
  std::optional<SeqNum> late;
  tx_log_.OnAck(scoreboard_, ack, [&](const TxRecord& r) {
    rack_.OnDelivered(r, now);
    if (!late.has_value() && !r.retransmitted && r.left < prior_fack) late = r.left;
  });
  if (late.has_value()) NoteLateDelivery(*late, ack);
  tx_log_.AdvanceTo(ack);
  rack_.UpdateReoWnd(dsack, snd_una_, snd_max_);  // step 4
}

bool Connection::RackDetectLoss(Instant now) {
  // RFC 8985 §6.2 step 5 (RACK_detect_loss_and_arm_timer).
  timers_.Cancel(TimerKind::kRackReorder);
  if (!rack_.has_sample()) return false;
  const Duration reo_wnd =
      rack_.ReoWnd(in_recovery_ || in_loss_, Segments(scoreboard_.sacked_bytes()), rtt_.srtt());
  // The segments sent before RACK's segment, oldest first: the log stops at the first one
  // sent after it, and returns the one whose window ends last.
  bool marked = false;
  const std::optional<TxRecord> undecided = tx_log_.DetectLoss(
      rack_.xmit_ts(), rack_.xmit_order(), rack_.LostIfSentBy(reo_wnd, now), &marked);
  if (undecided.has_value()) {
    const std::optional<Duration> remaining = rack_.Remaining(*undecided, reo_wnd, now);
    if (remaining.has_value() && *remaining > Duration::Zero()) {
      timers_.Arm(TimerKind::kRackReorder, now + *remaining);
    }
  }
  return marked;
}

bool Connection::MaybeEnterRackRecovery(Instant now, uint32_t delivered) {
  // RFC 6675 §5 step (4) with RACK's marks in place of IsLost() (RFC 8985 §3); as RFC 6582
  // §3.2 step 2 and RFC 6675 §5 have it, only once SND.UNA passed the previous
  // RecoveryPoint (not during the repair after a timeout either).
  if (in_recovery_ || in_loss_ || snd_una_ == snd_max_ || !(snd_una_ > recover_)) return false;
  SeqNum seq;
  uint32_t len = 0;
  bool by_rack = false;
  const uint32_t mss = SegmentSize();
  if (!tx_log_.FirstLost(scoreboard_, mss, &seq, &len, &by_rack)) return false;
  EnterSackRecovery(now, delivered);
  return true;
}

void Connection::RetransmitFirstLost(Instant now) {
  // RFC 6675 §5 (4.3): the first lost segment goes at once, whatever cwnd says; PRR counts
  // it among what recovery sent.
  SeqNum seq;
  uint32_t len = 0;
  bool by_rack = false;
  if (!tx_log_.FirstLost(scoreboard_, SegmentSize(), &seq, &len, &by_rack)) return;
  const uint32_t n = RetransmitFrom(seq, len, RetransmitKind::kRack, now);
  if (n > 0) {
    high_rxt_ = SeqMax(high_rxt_, seq + n);
    prr_.OnSent(n);
  }
}

void Connection::OnRackReorderTimeout(Instant now) {
  // RFC 8985 §6.2 RACK_reorder_timeout: the reordering window of a segment passed.
  if (!sack_enabled_ || !Synchronized() || snd_una_ == snd_max_ || cc_ == nullptr) return;
  RackDetectLoss(now);
  if (MaybeEnterRackRecovery(now)) RetransmitFirstLost(now);
  Output(now);
}

void Connection::OnLossEpisodeEnd() {
  if (sack_enabled_) rack_.OnRecoveryExit();  // RFC 8985 §6.2 step 4
}

// --- Tail loss probe (RFC 8985 §7) ---------------------------------------------------------

bool Connection::TlpAllowed() const {
  // §7.2: SACK in use, data outstanding, not in fast recovery or after a timeout, and no
  // probe of an earlier episode still unanswered.
  const bool data_state = state_ == TcpState::kEstablished || state_ == TcpState::kCloseWait ||
                          state_ == TcpState::kFinWait1 || state_ == TcpState::kClosing ||
                          state_ == TcpState::kLastAck;
  return sack_enabled_ && cc_ != nullptr && data_state && snd_max_ > snd_una_ && !in_recovery_ &&
         !in_loss_ && !tlp_end_seq_.has_value() && rto_retries_ == 0;
}

Duration Connection::ProbeTimeout() const {
  // §7.2: PTO = 2 * SRTT, plus WCDelAckT when a single segment is in flight (its ACK may be
  // delayed); 1 s without an RTT sample; never beyond the RTO.
  Duration pto = kProbeTimeoutWithoutRtt;
  if (rtt_.has_sample()) {
    pto = rtt_.srtt() * 2;
    if (FlightSize() <= SegmentSize()) pto = pto + kWorstCaseDelayedAck;
  }
  return Min(Max(pto, kMinProbeTimeout), rtt_.rto());
}

void Connection::ArmRetransmitOrProbe(Instant now) {
  if (TlpAllowed()) {
    timers_.Cancel(TimerKind::kRetransmit);
    timers_.Arm(TimerKind::kLossProbe, now + ProbeTimeout());
  } else {
    timers_.Cancel(TimerKind::kLossProbe);
    timers_.Arm(TimerKind::kRetransmit, now + rtt_.rto());
  }
}

void Connection::OnLossProbeTimeout(Instant now) {
  // §7.3: send one probe, then fall back on the RTO.
  if (!TlpAllowed()) {
    if (snd_max_ != snd_una_) ArmRetransmitTimer(now);
    return;
  }
  FollowPathMtu();
  sending_probe_ = true;
  const SeqNum probe_from = snd_max_;
  // A new segment if there is one and the peer's window takes it (cwnd does not matter for
  // the probe) ...
  bool blocked = false;
  const std::optional<DataSegment> seg =
      PlanDataSegment(snd_max_, snd_max_, PushMode::kForce, &blocked, SegmentSize());
  bool retrans = false;
  if (seg.has_value()) {
    uint8_t flags = wire::tcp_flags::kAck;
    if (seg->fin) flags |= wire::tcp_flags::kFin;
    if (seg->len > 0 && seg->seq + static_cast<uint32_t>(seg->len) == push_mark_) {
      flags |= wire::tcp_flags::kPsh;
    }
    TransmitSegment(seg->seq, seg->len, flags, RetransmitKind::kTlp, now);
  }
  if (snd_max_ == probe_from) {
    // ... else the last segment sent, again.
    const uint32_t mss = SegmentSize();
    uint32_t len = std::min(mss, FlightSize());
    SeqNum from = snd_max_ - len;
    // The FIN is a sequence number of its own: the segment holds up to a full MSS of data
    // before it.
    if (FinSent() && len == mss && from > snd_una_) from = from - 1;
    retrans = RetransmitFrom(from, snd_max_ - from, RetransmitKind::kTlp, now) > 0;
  }
  sending_probe_ = false;
  if (snd_max_ != probe_from || retrans) {
    tlp_end_seq_ = snd_max_;
    tlp_is_retrans_ = retrans;
    tlp_flight_ = FlightSize();
  }
  ArmRetransmitTimer(now);  // §7.3: the RTO watches the probe
}

void Connection::TlpOnAck(const Segment& seg, bool dsack, bool advanced, bool sacked, Instant now) {
  // §7.4 (and Linux tcp_process_tlp_ack): did the probe repair a loss?
  if (!tlp_end_seq_.has_value() || seg.ack < *tlp_end_seq_) return;
  if (!tlp_is_retrans_ || dsack) {
    // A new-data probe: RACK sees any loss it reveals. A D-SACK: the original and the
    // probe both arrived, nothing was lost.
    tlp_end_seq_.reset();
    return;
  }
  if (seg.ack > *tlp_end_seq_) {
    // The episode ended with no sign that the probe was a duplicate: it repaired a loss.
    // §7.4.2: the congestion response of a fast recovery, without the recovery; the
    // FlightSize is the flight the loss was in (RFC 5681 §3.2 step 2), when the probe went.
    tlp_end_seq_.reset();
    if (cc_ != nullptr && !in_recovery_ && !in_loss_) {
      const uint32_t mss = SegmentSize();
      cc_->OnFastRetransmit(tlp_flight_, mss, now);
      cc_->set_cwnd(cc_->ssthresh());
    }
    return;
  }
  // ACK == TLP.end_seq: a pure duplicate says the probe was not needed.
  if (!advanced && !sacked) tlp_end_seq_.reset();
}

}  // namespace tcpaas::tcp
