// HyStart++ (RFC 9406): leaves slow start when the round-trip time starts to grow, before
// the queue overflows, through a "conservative slow start" (CSS) phase that grows cwnd at a
// quarter of the rate and returns to slow start if the RTT increase was spurious.
//
// This class only watches rounds and RTT samples and says which phase the sender is in; the
// congestion control owning it grows cwnd accordingly (divided by growth_divisor()) and sets
// ssthresh = cwnd when the phase becomes kCongestionAvoidance (RFC 9406 §4.2).
#ifndef TCPAAS_STACK_TCP_CONGESTION_HYSTART_H_
#define TCPAAS_STACK_TCP_CONGESTION_HYSTART_H_

#include <cstdint>

#include "stack/base/time.h"

namespace tcpaas::tcp {

class HyStart {
 public:
  // RFC 9406 §4.3 constants.
  static constexpr Duration kMinRttThresh = Duration::Millis(4);
  static constexpr Duration kMaxRttThresh = Duration::Millis(16);
  static constexpr int64_t kMinRttDivisor = 8;
  static constexpr uint32_t kNRttSample = 8;
  static constexpr uint32_t kCssGrowthDivisor = 4;
  static constexpr uint32_t kCssRounds = 5;

  enum class Phase : uint8_t {
    kSlowStart,
    kConservativeSlowStart,  // CSS: RTT went up; growth divided by kCssGrowthDivisor
    kCongestionAvoidance,    // CSS lasted kCssRounds rounds: slow start is over
  };

  Phase phase() const { return phase_; }
  // 1 in slow start, kCssGrowthDivisor in CSS (RFC 9406 §4.2).
  uint32_t growth_divisor() const {
    return phase_ == Phase::kConservativeSlowStart ? kCssGrowthDivisor : 1;
  }
  // The RTT increase that ends slow start after a round whose minimum RTT was
  // `last_round_min_rtt`: clamp(last / MIN_RTT_DIVISOR, MIN_RTT_THRESH, MAX_RTT_THRESH).
  static Duration RttThreshold(Duration last_round_min_rtt);

  // A new round starts (the ACK for windowEnd arrived).
  void OnRoundStart();
  // An RTT sample while the sender is in slow start or CSS.
  void OnRttSample(Duration rtt);
  // Starts over in slow start with no RTT history (a new slow start, e.g. after idle).
  void Reset();

 private:
  static constexpr Duration kNoRtt = Duration::Infinite();

  Phase phase_ = Phase::kSlowStart;
  Duration last_round_min_rtt_ = kNoRtt;
  Duration current_round_min_rtt_ = kNoRtt;
  uint32_t rtt_sample_count_ = 0;
  Duration css_baseline_min_rtt_ = kNoRtt;
  uint32_t css_rounds_ = 0;  // round starts seen in CSS
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_CONGESTION_HYSTART_H_
