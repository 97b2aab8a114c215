#include "stack/tcp/congestion/hystart.h"

namespace tcpaas::tcp {

Duration HyStart::RttThreshold(Duration last_round_min_rtt) {
  // RFC 9406 §4.2: RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR,
  // MAX_RTT_THRESH)).
  return Max(kMinRttThresh, Min(last_round_min_rtt / kMinRttDivisor, kMaxRttThresh));
}

void HyStart::OnRoundStart() {
  if (phase_ == Phase::kCongestionAvoidance) return;
  // RFC 9406 §4.2: at the start of each round, the current round's minimum becomes the
  // last round's and sampling starts over.
  last_round_min_rtt_ = current_round_min_rtt_;
  current_round_min_rtt_ = kNoRtt;
  rtt_sample_count_ = 0;
  // "If CSS_ROUNDS rounds are complete, enter congestion avoidance." The round CSS was
  // entered in counts as the first.
  if (phase_ == Phase::kConservativeSlowStart && ++css_rounds_ >= kCssRounds) {
    phase_ = Phase::kCongestionAvoidance;
  }
}

void HyStart::OnRttSample(Duration rtt) {
  if (phase_ == Phase::kCongestionAvoidance) return;
  current_round_min_rtt_ = Min(current_round_min_rtt_, rtt);
  ++rtt_sample_count_;
  if (rtt_sample_count_ < kNRttSample || current_round_min_rtt_ == kNoRtt) return;
  if (phase_ == Phase::kSlowStart) {
    // RFC 9406 §4.2: the round's minimum RTT rose by at least RttThresh over the last
    // round's: leave slow start for CSS, remembering the minimum that triggered it.
    if (last_round_min_rtt_ == kNoRtt) return;
    if (current_round_min_rtt_ >= last_round_min_rtt_ + RttThreshold(last_round_min_rtt_)) {
      css_baseline_min_rtt_ = current_round_min_rtt_;
      css_rounds_ = 0;
      phase_ = Phase::kConservativeSlowStart;
    }
    return;
  }
  // In CSS: a round minimum below the baseline means the exit was spurious; resume slow
  // start.
  if (current_round_min_rtt_ < css_baseline_min_rtt_) {
    css_baseline_min_rtt_ = kNoRtt;
    css_rounds_ = 0;
    phase_ = Phase::kSlowStart;
  }
}

void HyStart::Reset() { *this = HyStart(); }

}  // namespace tcpaas::tcp
