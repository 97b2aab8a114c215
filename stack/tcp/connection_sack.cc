// SACK-based loss recovery (RFC 6675) with Proportional Rate Reduction (RFC 9937), for
// connections that negotiated SACK. The scoreboard (sack_scoreboard.h) holds what the peer
// SACKed; this file decides when recovery starts, how much each ACK lets out, and what goes:
// lost holes first (NextSeg() rule 1), then new data (rule 2), then the rest (rules 3, 4).
// After a timeout the same sender resends what is not SACKed (RFC 6675 §5.1).
#include <algorithm>

#include "stack/tcp/connection.h"

namespace tcpaas::tcp {

uint32_t Connection::UpdateScoreboard(const Segment& seg, bool* dsack) {
  const SackUpdate u = scoreboard_.Update(
      seg.ack, snd_una_, snd_max_,
      absl::MakeConstSpan(seg.options.sack_blocks.data(), seg.options.sack_count));
  if (u.dsack) ++stats_.dsacks_received;  // RFC 2883 §4
  *dsack = u.dsack;
  return u.newly_sacked;
}

void Connection::OnSackAck(SeqNum prior_una, uint32_t sacked_before, Instant now) {
  if (cc_ == nullptr) return;
  // RFC 8985 §3: RACK's loss marks replace RFC 6675's DupThresh rule (IsLost()); recovery
  // still starts at the first loss (RFC 6675 §5 step 4), with PRR.
  // RFC 9937 §6: DeliveredData = (change in SND.UNA) + (change in SACKed bytes).
  const uint32_t delivered = static_cast<uint32_t>(std::max<int64_t>(
      int64_t{snd_una_ - prior_una} + int64_t{scoreboard_.sacked_bytes()} - int64_t{sacked_before},
      0));
  const bool newly_lost = RackDetectLoss(now);
  const bool entered = !in_recovery_ && MaybeEnterRackRecovery(now, delivered);
  if (!sack_recovery_) return;
  // SafeACK: SND.UNA advanced and the ACK indicated no further loss (RACK marked nothing new).
  const uint32_t pipe = Pipe();
  const std::optional<uint32_t> sndcnt =
      prr_.OnAck({.delivered = delivered,
                  .pipe = pipe,
                  .ssthresh = cc_->ssthresh(),
                  .mss = SegmentSize(),
                  .safe_ack = snd_una_ > prior_una && !newly_lost});
  // cwnd = pipe + sndcnt; an ACK that delivered nothing leaves cwnd as it was.
  if (sndcnt.has_value()) {
    cc_->set_cwnd(static_cast<uint32_t>(std::min<uint64_t>(uint64_t{pipe} + *sndcnt, UINT32_MAX)));
  }
  if (entered) RetransmitFirstLost(now);
}

void Connection::EnterSackRecovery(Instant now, uint32_t delivered) {
  const uint32_t mss = SegmentSize();
  // RFC 5681 §3.2 step 2: data sent by limited transmit is not part of the FlightSize that
  // ssthresh comes from.
  const uint32_t flight =
      dupacks_ > 0 && flight_end_before_limited_transmit_ > snd_una_ &&
              flight_end_before_limited_transmit_ <= snd_max_
          ? static_cast<uint32_t>(flight_end_before_limited_transmit_ - snd_una_)
          : FlightSize();
  recover_ = snd_max_ - 1;  // RFC 6675 §5 (4.1): RecoveryPoint = HighData
  in_recovery_ = true;
  sack_recovery_ = true;
  partial_ack_seen_ = false;
  ++stats_.fast_recoveries;
  ++ctx_->counters->tcp_fast_recoveries;
  cc_->OnFastRetransmit(flight, mss, now);  // (4.2) ssthresh
  // RFC 9937 §6: RecoverFS = snd.nxt - snd.una, less the bytes SACKed before this ACK (they
  // will not be delivered in recovery), plus those this ACK delivered (counted in
  // prr_delivered on this same ACK). That is the flight before the ACK less what was SACKed.
  prr_.Start(static_cast<uint32_t>(std::max<int64_t>(
      int64_t{FlightSize()} - int64_t{scoreboard_.sacked_bytes()} + delivered, 0)));
  // Until an ACK sets it, cwnd lets out only the forced fast retransmit: an episode that the
  // reorder timer starts (RFC 8985 §6.2) has no ACK, and Linux's tcp_rack_reo_timeout sends
  // one segment too.
  cc_->set_cwnd(Pipe() + prr_.StartSndcnt(mss));
  // HighRxt is not reset: what an episode that just ended retransmitted above SND.UNA is still
  // in flight (a new episode starts as soon as SND.UNA passes the old RecoveryPoint), and
  // sending it again would only duplicate it. Linux keeps its per-segment retransmitted marks
  // likewise.
  high_rxt_ = SeqMax(high_rxt_, snd_una_);
  rescue_rxt_.reset();
  tlp_end_seq_.reset();  // RFC 8985 §7.4: recovery takes over from a TLP episode
  timers_.Cancel(TimerKind::kLossProbe);
  if (!timers_.armed(TimerKind::kRetransmit)) ArmRetransmitTimer(now);
}

uint32_t Connection::Pipe() const {
  // RFC 6675 §4 SetPipe() with RACK's loss marks (RFC 8985 §3), over the transmit log.
  return static_cast<uint32_t>(std::min<uint64_t>(tx_log_.Pipe(scoreboard_), UINT32_MAX));
}

void Connection::SendFromScoreboard(PushMode mode, Instant now) {
  const uint32_t mss = SegmentSize();
  uint32_t pipe = Pipe();
  bool cwnd_blocked = false;
  bool sent = false;
  // RFC 6675 §5 step (C): while cwnd - pipe >= 1 SMSS (or the next segment fits).
  while (true) {
    const uint32_t cwnd = cc_->cwnd();
    const size_t room = cwnd > pipe ? cwnd - pipe : 0;
    auto fits = [&](uint32_t len) { return room >= mss || (room > 0 && len <= room); };
    const SeqNum high_rxt = SeqMax(high_rxt_, snd_una_);
    uint32_t n = 0;
    // (C.1) NextSeg() rule 1: the first segment marked lost (by RACK, RFC 8985 §3, or by a
    // timeout, RFC 6675 §5.1) and not retransmitted since.
    SeqNum lost_seq;
    uint32_t lost_len = 0;
    bool by_rack = false;
    std::optional<NextSegment> next;
    if (tx_log_.FirstLost(scoreboard_, mss, &lost_seq, &lost_len, &by_rack)) {
      if (!fits(lost_len)) {
        cwnd_blocked = true;
        break;
      }
      n = RetransmitFrom(lost_seq, lost_len,
                         by_rack ? RetransmitKind::kRack : RetransmitKind::kTimeout, now);
      if (n == 0) break;
      high_rxt_ = SeqMax(high_rxt_, lost_seq + n);  // (C.2)
    } else {
      // Rule 2: new data, if the peer's window and the send rules allow.
      bool blocked = false;
      const std::optional<DataSegment> seg =
          PlanDataSegment(snd_max_, snd_max_, mode, &blocked, room);
      if (seg.has_value()) {
        uint8_t flags = wire::tcp_flags::kAck;
        if (seg->fin) flags |= wire::tcp_flags::kFin;
        // PSH as Linux: not on what recovery clocks out; after a timeout, at a write's end.
        if (!sack_recovery_ && seg->len > 0 &&
            seg->seq + static_cast<uint32_t>(seg->len) == push_mark_) {
          flags |= wire::tcp_flags::kPsh;
        }
        TransmitSegment(seg->seq, seg->len, flags, RetransmitKind::kFast, now);
        n = static_cast<uint32_t>(seg->len) + (seg->fin ? 1 : 0);
      } else {
        // Rule 2 holds (unsent data the peer's window takes) but cwnd does not: wait.
        if (blocked) cwnd_blocked = true;
        if (blocked || !sack_recovery_ || room == 0) break;
        // Rules 3 and 4 (recovery only): unSACKed data below HighSACK, then once per
        // recovery the rescue retransmission of the highest unSACKed segment.
        const bool rescue = !rescue_rxt_.has_value() || snd_una_ > *rescue_rxt_;
        next = scoreboard_.NextSeg(snd_una_, snd_max_, high_rxt, snd_una_, mss, true, rescue);
        if (!next.has_value()) break;
        if (!fits(next->len)) {
          cwnd_blocked = true;
          break;
        }
        // A rescue ending in our FIN covers the last full segment of data as well, not one
        // byte less (the scoreboard counts the FIN's sequence number like a data byte).
        if (next->rule == NextSegment::Rule::kRescue && FinSent() &&
            next->seq + next->len == snd_max_ && next->seq > snd_una_ &&
            !scoreboard_.IsSacked(next->seq - 1)) {
          next->seq = next->seq - 1;
        }
        n = RetransmitFrom(next->seq, next->len, RetransmitKind::kFast, now);
        if (n == 0) break;
        if (next->rule == NextSegment::Rule::kRescue) {
          rescue_rxt_ = recover_;  // RescueRxt = RecoveryPoint; HighRxt is not moved
        } else {
          high_rxt_ = next->seq + n;  // (C.4)
        }
      }
    }
    sent = true;
    pipe += n;  // (C.3)
    if (sack_recovery_) prr_.OnSent(n);
  }
  if (sent || cwnd_blocked) ValidateCwnd(cwnd_blocked);
}

}  // namespace tcpaas::tcp
