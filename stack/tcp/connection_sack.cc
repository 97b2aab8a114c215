// SACK-based loss recovery (RFC 6675) with Proportional Rate Reduction (RFC 6937), for
// connections that negotiated SACK. The scoreboard (sack_scoreboard.h) holds what the peer
// SACKed; this file decides when recovery starts, how much each ACK lets out, and what goes:
// lost holes first (NextSeg() rule 1), then new data (rule 2), then the rest (rules 3, 4).
// After a timeout the same sender resends what is not SACKed (RFC 6675 §5.1).
#include <algorithm>

#include "stack/tcp/connection.h"

namespace tcpaas::tcp {

uint32_t Connection::UpdateScoreboard(const Segment& seg) {
  const SackUpdate u = scoreboard_.Update(
      seg.ack, snd_una_, snd_max_,
      absl::MakeConstSpan(seg.options.sack_blocks.data(), seg.options.sack_count));
  if (u.dsack) ++stats_.dsacks_received;  // RFC 2883 §4
  return u.newly_sacked;
}

void Connection::OnSackAck(SeqNum prior_una, uint32_t sacked_before, Instant now) {
  if (cc_ == nullptr) return;
  const uint32_t mss = SegmentSize();
  bool entered = false;
  if (!in_recovery_) {
    // RFC 6675 §5 step (4): DupThresh duplicate ACKs, or IsLost(HighACK + 1); and, as
    // RFC 6582 §3.2 step 2 and RFC 6675 §5 have it, only once SND.UNA passed the previous
    // RecoveryPoint (not during the repair after a timeout either).
    if (in_loss_ || snd_una_ == snd_max_ || !(snd_una_ > recover_)) return;
    if (dupacks_ < kDupThresh && !scoreboard_.IsLost(snd_una_, mss)) return;
    EnterSackRecovery(now);
    entered = true;
  }
  if (!sack_recovery_) return;
  // RFC 6937 §3: DeliveredData = (change in SND.UNA) + (change in SACKed bytes); then
  // cwnd = pipe + sndcnt.
  const int64_t delivered =
      int64_t{snd_una_ - prior_una} + int64_t{scoreboard_.sacked_bytes()} - int64_t{sacked_before};
  const uint32_t pipe = Pipe();
  const uint32_t sndcnt = prr_.OnAck(static_cast<uint32_t>(std::max<int64_t>(delivered, 0)), pipe,
                                     cc_->ssthresh(), mss);
  cc_->set_cwnd(static_cast<uint32_t>(std::min<uint64_t>(uint64_t{pipe} + sndcnt, UINT32_MAX)));
  // RFC 6675 §5 (4.3): the first segment goes at once, as part of sndcnt (PRR counts the
  // fast retransmit among the first ACK's sends); when DupThresh duplicates came before
  // IsLost() holds for it, NextSeg() would not pick it, so it is sent here.
  if (entered && high_rxt_ == snd_una_) {
    RetransmitHead(RetransmitKind::kFast, now);
    if (high_rxt_ > snd_una_) prr_.OnSent(static_cast<uint32_t>(high_rxt_ - snd_una_));
  }
}

void Connection::EnterSackRecovery(Instant now) {
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
  prr_.Start(FlightSize());                 // RFC 6937: RecoverFS = snd.nxt - snd.una
  // HighRxt is not reset: what an episode that just ended retransmitted above SND.UNA is still
  // in flight (a new episode starts as soon as SND.UNA passes the old RecoveryPoint), and
  // sending it again would only duplicate it. Linux keeps its per-segment retransmitted marks
  // likewise.
  high_rxt_ = SeqMax(high_rxt_, snd_una_);
  rescue_rxt_.reset();
}

SeqNum Connection::LossEdge() const {
  const SeqNum edge = scoreboard_.LossEdge(SegmentSize(), snd_una_);
  // RFC 6675 §5.1: after a timeout, everything outstanding then and not SACKed is lost.
  if (in_loss_) return SeqMin(SeqMax(edge, recover_ + 1), snd_max_);
  return edge;
}

uint32_t Connection::Pipe() const {
  return scoreboard_.Pipe(snd_una_, snd_max_, SeqMax(high_rxt_, snd_una_), LossEdge());
}

void Connection::SendFromScoreboard(PushMode mode, Instant now) {
  const uint32_t mss = SegmentSize();
  const RetransmitKind kind = in_loss_ ? RetransmitKind::kTimeout : RetransmitKind::kFast;
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
    // (C.1) NextSeg() rule 1: a lost hole above HighRxt.
    std::optional<NextSegment> next =
        scoreboard_.NextSeg(snd_una_, snd_max_, high_rxt, LossEdge(), mss, false, false);
    if (next.has_value()) {
      if (!fits(next->len)) {
        cwnd_blocked = true;
        break;
      }
      n = RetransmitFrom(next->seq, next->len, kind, now);
      if (n == 0) break;
      high_rxt_ = next->seq + n;  // (C.2)
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
        TransmitSegment(seg->seq, seg->len, flags, kind, now);
        n = static_cast<uint32_t>(seg->len) + (seg->fin ? 1 : 0);
      } else {
        // Rule 2 holds (unsent data the peer's window takes) but cwnd does not: wait.
        if (blocked) cwnd_blocked = true;
        if (blocked || !sack_recovery_ || room == 0) break;
        // Rules 3 and 4 (recovery only): unSACKed data below HighSACK, then once per
        // recovery the rescue retransmission of the highest unSACKed segment.
        const bool rescue = !rescue_rxt_.has_value() || snd_una_ > *rescue_rxt_;
        next = scoreboard_.NextSeg(snd_una_, snd_max_, high_rxt, LossEdge(), mss, true, rescue);
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
        n = RetransmitFrom(next->seq, next->len, kind, now);
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
