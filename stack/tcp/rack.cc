#include "stack/tcp/rack.h"

#include <algorithm>

#include "stack/tcp/sack_scoreboard.h"

namespace tcpaas::tcp {
namespace {

// Our timers' granularity (the timestamp clock's 1 ms tick).
constexpr Duration kUnknownRttReoWnd = Duration::Millis(1);

}  // namespace

void Rack::OnRttSample(Duration rtt) {
  if (rtt <= Duration::Zero()) return;
  if (min_rtt_ == Duration::Zero() || rtt < min_rtt_) min_rtt_ = rtt;
}

void Rack::OnDelivered(const TxRecord& seg, Instant now) {
  // Step 3 (RACK_detect_reordering): a never-retransmitted segment delivered below the
  // highest end already delivered arrived out of order.
  if (!fack_valid_ || seg.right > fack_) {
    fack_ = seg.right;
    fack_valid_ = true;
  } else if (seg.right < fack_ && !seg.retransmitted) {
    reordering_seen_ = true;
  }
  // Step 2 (RACK_update): the most recently sent delivered segment, and RACK.rtt from it.
  const Duration rtt = now - seg.xmit_ts;
  // A retransmitted segment delivered sooner than min_RTT after its retransmission was
  // delivered by its original transmission: its time says nothing (ambiguous sample).
  if (seg.retransmitted && rtt < min_rtt_) return;
  if (!has_sample() || SentAfter(seg.xmit_ts, seg.xmit_order, xmit_ts_, xmit_order_)) {
    rtt_ = rtt;
    xmit_ts_ = seg.xmit_ts;
    xmit_order_ = seg.xmit_order;
    end_seq_ = seg.right;
  }
}

void Rack::UpdateReoWnd(bool dsack, SeqNum snd_una, SeqNum snd_nxt) {
  // Step 4: one increase of the multiplier per round trip that sees D-SACKs.
  if (dsack_round_.has_value() && snd_una >= *dsack_round_) dsack_round_.reset();
  if (!dsack_round_.has_value() && dsack) {
    dsack_round_ = snd_nxt;
    ++reo_wnd_mult_;
    reo_wnd_persist_ = kReoWndPersist;
  }
}

void Rack::OnRecoveryExit() {
  // Step 4: after 16 recoveries without D-SACK the window comes back to min_RTT / 4.
  if (--reo_wnd_persist_ <= 0) {
    reo_wnd_mult_ = 1;
    reo_wnd_persist_ = kReoWndPersist;
  }
}

Duration Rack::ReoWnd(bool in_recovery, uint32_t segs_sacked, Duration srtt) const {
  // Step 4: without reordering seen, the DupThresh-like cases need no window at all.
  if (!reordering_seen_ && (in_recovery || segs_sacked >= kDupThresh)) return Duration::Zero();
  // Without a positive RTT sample (min_RTT unknown) one timer tick per multiple stands in
  // for min_RTT / 4, so that a single SACK still waits for reordering.
  const Duration wnd = min_rtt_ > Duration::Zero() ? min_rtt_ * reo_wnd_mult_ / 4
                                                   : kUnknownRttReoWnd * reo_wnd_mult_;
  return srtt > Duration::Zero() ? Min(wnd, srtt) : wnd;
}

std::optional<Duration> Rack::Remaining(const TxRecord& seg, Duration reo_wnd, Instant now) const {
  // Step 5: only segments sent before the most recently delivered one can be judged.
  if (!has_sample() || !SentAfter(xmit_ts_, xmit_order_, seg.xmit_ts, seg.xmit_order)) {
    return std::nullopt;
  }
  return seg.xmit_ts + rtt_ + reo_wnd - now;
}

}  // namespace tcpaas::tcp
