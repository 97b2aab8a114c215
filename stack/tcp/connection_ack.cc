// The ACK field of an arriving segment (RFC 9293 §3.10.7.4 fifth step): acceptability
// (RFC 5961 §5), the send window, RTT measurement (RFC 6298, RFC 7323 §4), the
// retransmission timer and NewReno loss recovery (RFC 5681 §3.2, RFC 6582, RFC 3042) for
// peers without SACK; SACK-based recovery is in connection_sack.cc.
#include <algorithm>
#include <optional>

#include "stack/tcp/connection.h"
#include "stack/tcp/reset.h"

namespace tcpaas::tcp {
namespace {

// RFC 5681 §3.2: the third duplicate ACK starts fast retransmit.
constexpr uint32_t kDupAckThreshold = 3;
// Timestamp echoes further back than this are not believed as RTT samples.
constexpr int32_t kMaxTsRttMillis = 10 * 60 * 1000;

}  // namespace

bool Connection::CheckAck(const Segment& seg, Instant now) {
  if (!seg.has_ack()) {
    // "If the ACK bit is off, drop the segment and return."
    ctx_->counters->Drop(DropReason::kTcpNoFlags);
    return false;
  }
  probes_unanswered_ = 0;  // the peer is alive

  if (state_ == TcpState::kSynReceived) {
    if (!(snd_una_ < seg.ack && seg.ack <= snd_max_)) {
      // "If the segment acknowledgment is not acceptable, form a reset segment".
      ctx_->counters->Drop(DropReason::kTcpBadAck);
      SendResetFor(seg, *ctx_->ip, *ctx_->counters, now);
      return false;
    }
    snd_wnd_ = static_cast<uint32_t>(seg.window) << snd_wscale_;
    max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
    snd_wl1_ = seg.seq;
    snd_wl2_ = seg.ack;
    EnterEstablished(now);
  }

  if (state_ == TcpState::kTimeWait) return true;  // only a FIN retransmission matters here

  // RFC 5961 §5.2: SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT, else ACK and drop.
  if (seg.ack > snd_max_ || seg.ack < snd_una_ - max_snd_wnd_) {
    ctx_->counters->Drop(DropReason::kTcpBadAck);
    SendChallengeAck(now);
    return false;
  }

  const SeqNum prior_una = snd_una_;
  const uint32_t sacked_before = scoreboard_.sacked_bytes();
  const SeqNum prior_fack = Fack(snd_una_);
  // RFC 6675 §5: the scoreboard first; with SACK, a duplicate ACK is one that SACKs new data
  // (RFC 6675 §2), whatever else it carries. An ACK below SND.UNA that the path reordered
  // (acceptable by RFC 5961 §5.2) still carries SACK blocks: as Linux (tcp_ack's old_ack),
  // they count, and PRR may clock data out for what they deliver; the ACK is taken as one
  // of SND.UNA.
  const bool sack_ack = sack_enabled_ && (seg.ack >= prior_una || seg.options.sack_count > 0);
  std::optional<Segment> raised_old_ack;
  const Segment* sack_seg = &seg;
  if (sack_ack && seg.ack < prior_una) {
    raised_old_ack.emplace(seg);
    raised_old_ack->ack = prior_una;
    sack_seg = &*raised_old_ack;
  }
  bool dsack = false;
  const uint32_t newly_sacked = sack_ack ? UpdateScoreboard(*sack_seg, &dsack) : 0;
  if (sack_ack) {
    RackOnAck(sack_seg->ack, dsack, prior_fack, now);  // RFC 8985 §6.2 1-4, tcpi_reordering
    TlpOnAck(*sack_seg, dsack, seg.ack > prior_una, newly_sacked > 0, now);  // §7.4
  }
  if (seg.ack > snd_una_) {
    OnNewAck(seg, now);
  } else if (sack_enabled_ ? newly_sacked > 0 && seg.ack == snd_una_ && snd_max_ > snd_una_
                           : IsDuplicateAck(seg)) {
    OnDuplicateAck(now);
  }
  if (seg.ack >= prior_una) UpdateSendWindow(seg);
  if (sack_ack) OnSackAck(prior_una, sacked_before, now);

  if (FinAcked() && (state_ == TcpState::kFinWait1 || state_ == TcpState::kClosing ||
                     state_ == TcpState::kLastAck)) {
    OnOurFinAcked(now);
  }
  return true;
}

void Connection::CheckSpuriousTimeout(const Segment& seg) {
  // RFC 3522 §3.2: the first acceptable ACK after the timeout retransmission decides. If it
  // echoes a timestamp older than the retransmission's, the original transmission arrived:
  // the timeout was spurious. Only for a single timeout (rto_retries_ == 1): after a second
  // one the path really was silent for two RTOs.
  const uint32_t retransmit_ts = *eifel_retransmit_ts_;
  std::unique_ptr<CongestionControl> before = std::move(cc_before_timeout_);
  eifel_retransmit_ts_.reset();
  if (!in_loss_ || rto_retries_ != 1 || before == nullptr || !seg.options.timestamps.has_value()) {
    return;
  }
  const uint32_t echoed = seg.options.timestamps->ecr;
  if (static_cast<int32_t>(echoed - retransmit_ts) >= 0) return;  // the retransmission's echo
  // RFC 4015 §4 (Linux tcp_try_undo_loss): the congestion state from before the timeout comes
  // back, the loss state ends and nothing is taken for lost any more; sending resumes with
  // new data (SND.NXT = SND.MAX) instead of going back over what the peer holds.
  cc_ = std::move(before);
  in_loss_ = false;
  OnLossEpisodeEnd();
  if (sack_enabled_) tx_log_.UnmarkLost();
  snd_nxt_ = snd_max_;
  rtt_.ResetBackoff();
  ++stats_.spurious_rtos;
  ++ctx_->counters->tcp_spurious_rtos;
}

bool Connection::IsDuplicateAck(const Segment& seg) const {
  // RFC 5681 §2, "DUPLICATE ACKNOWLEDGMENT": outstanding data, no data, no SYN/FIN, the
  // same acknowledgment number and the same window.
  return snd_max_ > snd_una_ && seg.payload.empty() && !seg.syn() && !seg.fin() &&
         seg.ack == snd_una_ && (static_cast<uint32_t>(seg.window) << snd_wscale_) == snd_wnd_;
}

void Connection::OnNewAck(const Segment& seg, Instant now) {
  if (eifel_retransmit_ts_.has_value()) CheckSpuriousTimeout(seg);
  const SeqNum prior_una = snd_una_;
  uint32_t data_acked = 0;
  if (seg.ack > snd_buf_seq_) {
    data_acked = std::min(static_cast<uint32_t>(seg.ack - snd_buf_seq_),
                          static_cast<uint32_t>(send_buffer_.size()));
    send_buffer_.Consume(data_acked);
    snd_buf_seq_ += data_acked;
  }
  const uint32_t acked = static_cast<uint32_t>(seg.ack - prior_una);
  snd_una_ = seg.ack;
  snd_nxt_ = SeqMax(snd_nxt_, snd_una_);
  stats_.bytes_acked += data_acked;
  if (in_loss_ && snd_una_ > recover_) {
    in_loss_ = false;  // the loss episode is repaired
    OnLossEpisodeEnd();
  }
  // Marks behind SND.UNA mean SND.UNA; keep them there so that a long connection cannot wrap
  // them around the sequence space.
  push_mark_ = SeqMax(push_mark_, snd_una_);
  retrans_high_ = SeqMax(retrans_high_, snd_una_);
  high_rxt_ = SeqMax(high_rxt_, snd_una_);
  if (!in_recovery_ && !in_loss_) recover_ = SeqMax(recover_, snd_una_ - 1);

  // RFC 9406 §4.2 rounds: a round ends when the ACK reaches the SND.MAX of its start.
  if (cc_ != nullptr && (!round_end_.has_value() || snd_una_ >= *round_end_)) {
    round_end_ = snd_max_;
    cc_->OnRoundStart(now);
  }
  SampleRtt(seg, prior_una, now);
  rto_retries_ = 0;

  const uint32_t mss = SegmentSize();
  if (in_recovery_ && sack_recovery_) {
    if (seg.ack > recover_) {
      // RFC 6675 §5 (A): a cumulative ACK beyond RecoveryPoint ends recovery; RFC 9937 §6:
      // cwnd comes back to ssthresh (as Linux's tcp_end_cwnd_reduction), whatever the
      // algorithm's own exit rule for NewReno recovery says.
      in_recovery_ = false;
      sack_recovery_ = false;
      rescue_rxt_.reset();
      dupacks_ = 0;
      OnLossEpisodeEnd();
      if (cc_ != nullptr) {
        cc_->OnRecoveryExit(FlightSize(), mss, now);
        cc_->set_cwnd(cc_->ssthresh());
      }
    }
    // Otherwise PRR sets cwnd for this ACK (OnSackAck) and NextSeg() picks what goes.
  } else if (in_recovery_) {
    if (seg.ack > recover_) {
      // RFC 6582 §3.2 step 3: a full acknowledgment ends recovery.
      in_recovery_ = false;
      dupacks_ = 0;
      if (cc_ != nullptr) cc_->OnRecoveryExit(FlightSize(), mss, now);
    } else {
      // Step 4: a partial acknowledgment. Retransmit the next hole, deflate the window by
      // what was acknowledged, add back one segment if at least one was, and restart the
      // timer on the first partial ACK only ("Impatient" variant).
      RetransmitHead(RetransmitKind::kFast, now);
      if (cc_ != nullptr) {
        uint32_t cwnd = cc_->cwnd();
        cwnd = cwnd > acked ? cwnd - acked : 0;
        if (acked >= mss) cwnd += mss;
        cc_->set_cwnd(std::max(cwnd, mss));
      }
      if (!partial_ack_seen_) {
        partial_ack_seen_ = true;
        ArmRetransmitTimer(now);
      }
    }
  } else {
    dupacks_ = 0;
    // Grow cwnd only while it limits the sender (RFC 7661 §4.3, Linux tcp_is_cwnd_limited):
    // an application-limited sender must not inflate it for nothing.
    if (data_acked > 0 && IsCwndLimited()) cc_->OnAck(data_acked, mss, now);
  }

  // RFC 6298 §5.2 and §5.3.
  if (snd_una_ == snd_max_) {
    timers_.Cancel(TimerKind::kRetransmit);
    timers_.Cancel(TimerKind::kLossProbe);
    timers_.Cancel(TimerKind::kRackReorder);
  } else if (!(in_recovery_ && partial_ack_seen_ && seg.ack <= recover_)) {
    ArmRetransmitOrProbe(now);  // RFC 8985 §7.2: the PTO restarts on a cumulative ACK too
  }
  RestartUserTimeout(now);
  if (data_acked > 0) {
    send_buffer_.ReleaseIfEmpty();  // everything was delivered: idle costs no buffer
    Emit(TcpEventType::kWritable);
  }
}

void Connection::OnDuplicateAck(Instant now) {
  ++dupacks_;
  ++stats_.dup_acks_received;
  if (sack_enabled_) {
    // RFC 6675 §5: the count feeds DupThresh and limited transmit (RFC 3042); recovery
    // itself starts in OnSackAck, once the scoreboard has this ACK's blocks.
    if (dupacks_ == 1 && !in_recovery_) flight_end_before_limited_transmit_ = snd_max_;
    return;
  }
  const uint32_t mss = SegmentSize();
  if (in_recovery_) {
    // RFC 6582 §3.2 step 4 (RFC 5681 §3.2 step 4): inflate by one segment per duplicate.
    if (cc_ != nullptr) cc_->set_cwnd(cc_->cwnd() + mss);
    return;
  }
  if (dupacks_ == 1) flight_end_before_limited_transmit_ = snd_max_;
  if (dupacks_ != kDupAckThreshold) return;  // 1 and 2: limited transmit, see Output()
  // RFC 6582 §3.2 step 2: only if the ACK covers more than `recover`, so duplicates caused
  // by a go-back-N retransmission after a timeout do not start a second recovery.
  if (!(snd_una_ > recover_)) return;
  recover_ = snd_max_ - 1;
  in_recovery_ = true;
  partial_ack_seen_ = false;
  ++stats_.fast_recoveries;
  ++ctx_->counters->tcp_fast_recoveries;
  // RFC 5681 §3.2 step 2: "additional data sent in limited transmit MUST NOT be included"
  // in the FlightSize that ssthresh halves (Linux halves cwnd, which is the same here).
  const uint32_t flight =
      flight_end_before_limited_transmit_ > snd_una_
          ? static_cast<uint32_t>(flight_end_before_limited_transmit_ - snd_una_)
          : FlightSize();
  if (cc_ != nullptr) cc_->OnFastRetransmit(flight, mss, now);
  RetransmitHead(RetransmitKind::kFast, now);
  // RFC 5681 §3.2 step 3: cwnd = ssthresh + 3 * SMSS.
  if (cc_ != nullptr) cc_->set_cwnd(cc_->ssthresh() + kDupAckThreshold * mss);
}

void Connection::UpdateSendWindow(const Segment& seg) {
  // RFC 9293 §3.10.7.4: only a segment newer than the one that last set the window may
  // change it (SND.WL1, SND.WL2). RFC 7323 §2.3: scaled, except in a SYN.
  // As Linux (tcp_may_update_window), a segment whose ACK is newer than the one that set the
  // window counts as newer too: a peer retransmitting old data (SEG.SEQ < SND.WL1) advances
  // SND.UNA, and keeping the old SND.WND then would slide the right edge past the one the
  // peer advertised with that very ACK.
  if (snd_wl1_ < seg.seq || snd_wl2_ < seg.ack || (snd_wl1_ == seg.seq && snd_wl2_ <= seg.ack)) {
    snd_wnd_ = static_cast<uint32_t>(seg.window) << snd_wscale_;
    max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
    snd_wl1_ = seg.seq;
    snd_wl2_ = seg.ack;
  }
}

void Connection::SampleRtt(const Segment& seg, SeqNum prior_una, Instant now) {
  // One segment timed with our clock, unless it was retransmitted (Karn's rule, RFC 6298 §3).
  if (rtt_timing_ && seg.ack >= rtt_seq_) {
    rtt_timing_ = false;
    RecordRttSample(now - rtt_sent_at_, now);
    return;
  }
  // RFC 7323 §4.1: the echoed timestamp measures any ACK that advances SND.UNA, retransmitted
  // or not (§4.2: never from ACKs that do not advance it).
  if (ts_enabled_ && seg.ack > prior_una && seg.options.timestamps.has_value() &&
      seg.options.timestamps->ecr != 0) {
    const int32_t ms = static_cast<int32_t>(TsVal(now) - seg.options.timestamps->ecr);
    if (ms >= 0 && ms <= kMaxTsRttMillis) RecordRttSample(Duration::Millis(ms), now);
  }
}

void Connection::RecordRttSample(Duration rtt, Instant now) {
  rtt_.AddSample(rtt);
  rack_.OnRttSample(rtt);                          // RFC 8985 §6.2: RACK.min_RTT
  if (cc_ != nullptr) cc_->OnRttSample(rtt, now);  // HyStart++ (RFC 9406 §4.2)
  // RFC 6298 §5 (after rule 5.7): the backed-off RTO stays until a new RTT measurement
  // "collapses" it; an ACK that gives no sample (Karn's rule) keeps it (as Linux's
  // tcp_ack_update_rtt: "only reset backoff on valid RTT measurement").
  rtt_.ResetBackoff();
  ctx_->counters->tcp_rtt.Observe(rtt.seconds());
}

void Connection::OnOurFinAcked(Instant now) {
  Emit(TcpEventType::kFinAcked);
  switch (state_) {
    case TcpState::kFinWait1:
      state_ = TcpState::kFinWait2;
      // Linux: an orphaned FIN-WAIT-2 does not wait for the peer forever.
      if (!owned_) timers_.Arm(TimerKind::kFinWait2, now + config_.fin_wait2_timeout);
      break;
    case TcpState::kClosing:
      EnterTimeWait(now);
      break;
    case TcpState::kLastAck:
      EnterClosed(CloseReason::kNormal);
      break;
    default:
      break;
  }
}

}  // namespace tcpaas::tcp
