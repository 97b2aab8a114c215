#include "stack/tcp/congestion/hystart.h"

#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

using Phase = HyStart::Phase;

Duration Ms(double ms) { return Duration::Micros(static_cast<int64_t>(ms * 1000)); }

// One round: its start, then `samples` RTT samples of `rtt`.
void Round(HyStart& h, Duration rtt, uint32_t samples = HyStart::kNRttSample) {
  h.OnRoundStart();
  for (uint32_t i = 0; i < samples; ++i) h.OnRttSample(rtt);
}

// RFC 9406 §4.2: RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR,
// MAX_RTT_THRESH)), with 4 ms, 16 ms and 8 (§4.3).
struct ThresholdCase {
  double last_ms;
  double want_ms;
};

class RttThresholdTest : public testing::TestWithParam<ThresholdCase> {};

TEST_P(RttThresholdTest, ClampsAnEighthOfTheLastRoundMinimum) {
  EXPECT_EQ(HyStart::RttThreshold(Ms(GetParam().last_ms)), Ms(GetParam().want_ms));
}

INSTANTIATE_TEST_SUITE_P(Rfc9406, RttThresholdTest,
                         testing::Values(ThresholdCase{1, 4}, ThresholdCase{10, 4},
                                         ThresholdCase{32, 4}, ThresholdCase{40, 5},
                                         ThresholdCase{100, 12.5}, ThresholdCase{128, 16},
                                         ThresholdCase{500, 16}));

TEST(HyStartTest, ConstantsAreRfc9406s) {
  EXPECT_EQ(HyStart::kMinRttThresh, Duration::Millis(4));
  EXPECT_EQ(HyStart::kMaxRttThresh, Duration::Millis(16));
  EXPECT_EQ(HyStart::kMinRttDivisor, 8);
  EXPECT_EQ(HyStart::kNRttSample, 8u);
  EXPECT_EQ(HyStart::kCssGrowthDivisor, 4u);
  EXPECT_EQ(HyStart::kCssRounds, 5u);
}

// Whether a round with minimum `current` after a round with minimum `last` ends slow start.
struct ExitCase {
  const char* name;
  double last_ms;
  double current_ms;
  uint32_t samples;
  bool css;
};

class HyStartExitTest : public testing::TestWithParam<ExitCase> {};

TEST_P(HyStartExitTest, LeavesSlowStartOnlyOnAClearRttIncrease) {
  const ExitCase& c = GetParam();
  HyStart h;
  Round(h, Ms(c.last_ms));
  Round(h, Ms(c.current_ms), c.samples);
  EXPECT_EQ(h.phase(), c.css ? Phase::kConservativeSlowStart : Phase::kSlowStart);
  EXPECT_EQ(h.growth_divisor(), c.css ? 4u : 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9406, HyStartExitTest,
    testing::Values(
        // 100 ms: threshold 12.5 ms.
        ExitCase{"at_threshold", 100, 112.5, 8, true},
        ExitCase{"below_threshold", 100, 112.4, 8, false}, ExitCase{"far_above", 100, 200, 8, true},
        ExitCase{"too_few_samples", 100, 200, 7, false}, ExitCase{"rtt_fell", 100, 90, 8, false},
        // 20 ms: MIN_RTT_THRESH (4 ms) applies, not 20 / 8.
        ExitCase{"small_rtt_min_threshold", 20, 23.9, 8, false},
        ExitCase{"small_rtt_min_threshold_reached", 20, 24, 8, true},
        // 400 ms: MAX_RTT_THRESH (16 ms) applies, not 400 / 8.
        ExitCase{"large_rtt_max_threshold", 400, 415.9, 8, false},
        ExitCase{"large_rtt_max_threshold_reached", 400, 416, 8, true}),
    [](const testing::TestParamInfo<ExitCase>& info) { return info.param.name; });

TEST(HyStartTest, TheFirstRoundHasNothingToCompareWith) {
  HyStart h;
  for (int i = 0; i < 20; ++i) h.OnRttSample(Ms(100 + 10 * i));
  EXPECT_EQ(h.phase(), Phase::kSlowStart);
}

TEST(HyStartTest, TheRoundMinimumDecidesNotTheLatestSample) {
  HyStart h;
  Round(h, Ms(100));
  h.OnRoundStart();
  h.OnRttSample(Ms(101));  // one low sample keeps this round's minimum low
  for (int i = 0; i < 10; ++i) h.OnRttSample(Ms(150));
  EXPECT_EQ(h.phase(), Phase::kSlowStart);
}

TEST(HyStartTest, TheCheckRunsFromTheEighthSampleOfTheRound) {
  HyStart h;
  Round(h, Ms(100));
  h.OnRoundStart();
  for (uint32_t i = 1; i < HyStart::kNRttSample; ++i) {
    h.OnRttSample(Ms(150));
    EXPECT_EQ(h.phase(), Phase::kSlowStart) << "sample " << i;
  }
  h.OnRttSample(Ms(150));
  EXPECT_EQ(h.phase(), Phase::kConservativeSlowStart);
}

TEST(HyStartTest, CssEndsInCongestionAvoidanceAfterFiveRounds) {
  HyStart h;
  Round(h, Ms(100));
  Round(h, Ms(120));  // CSS, baseline 120 ms
  ASSERT_EQ(h.phase(), Phase::kConservativeSlowStart);
  for (uint32_t round = 1; round < HyStart::kCssRounds; ++round) {
    Round(h, Ms(125));
    EXPECT_EQ(h.phase(), Phase::kConservativeSlowStart) << "round " << round;
  }
  h.OnRoundStart();  // the fifth round of CSS is complete
  EXPECT_EQ(h.phase(), Phase::kCongestionAvoidance);
  EXPECT_EQ(h.growth_divisor(), 1u);
  // Nothing brings it back: slow start is over.
  Round(h, Ms(50));
  EXPECT_EQ(h.phase(), Phase::kCongestionAvoidance);
}

TEST(HyStartTest, ARoundBelowTheCssBaselineResumesSlowStart) {
  // RFC 9406 §4.2: the RTT increase was spurious (jitter).
  HyStart h;
  Round(h, Ms(100));
  Round(h, Ms(120));
  ASSERT_EQ(h.phase(), Phase::kConservativeSlowStart);
  Round(h, Ms(119));
  EXPECT_EQ(h.phase(), Phase::kSlowStart);
  // Slow start again, with the round history kept: the next clear increase counts.
  Round(h, Ms(119));
  EXPECT_EQ(h.phase(), Phase::kSlowStart);
  Round(h, Ms(140));
  EXPECT_EQ(h.phase(), Phase::kConservativeSlowStart);
}

TEST(HyStartTest, CssNeedsEightSamplesToCallItSpurious) {
  HyStart h;
  Round(h, Ms(100));
  Round(h, Ms(120));
  Round(h, Ms(80), HyStart::kNRttSample - 1);
  EXPECT_EQ(h.phase(), Phase::kConservativeSlowStart);
}

TEST(HyStartTest, ResetForgetsTheRounds) {
  HyStart h;
  Round(h, Ms(100));
  Round(h, Ms(120));
  ASSERT_EQ(h.phase(), Phase::kConservativeSlowStart);
  h.Reset();
  EXPECT_EQ(h.phase(), Phase::kSlowStart);
  Round(h, Ms(300));  // no earlier round to compare with
  EXPECT_EQ(h.phase(), Phase::kSlowStart);
}

}  // namespace
}  // namespace tcpaas::tcp
