#include "tests/netsim/goodput_check.h"

#include "gtest/gtest.h"

namespace tcpaas::netsim {
namespace {

TEST(JudgeGoodput, AppliesTheToleranceBothWays) {
  const ToleranceRule rule;  // 10%, 3 standard errors, at most 30%
  struct Case {
    double expected;
    double measured;
    double relative_standard_error;
    Verdict verdict;
    double tolerance;
  };
  const Case cases[] = {
      {100, 100, 0, Verdict::kWithin, 0.10},
      {100, 90.5, 0, Verdict::kWithin, 0.10},
      {100, 89.5, 0, Verdict::kRegressed, 0.10},
      {100, 109.5, 0, Verdict::kWithin, 0.10},
      {100, 110.5, 0, Verdict::kImproved, 0.10},
      // A little seed-to-seed spread stays at the base tolerance.
      {100, 89.5, 0.02, Verdict::kRegressed, 0.10},
      // A noisy cell gets three standard errors: 5% -> 15%.
      {100, 86, 0.05, Verdict::kWithin, 0.15},
      {100, 84, 0.05, Verdict::kRegressed, 0.15},
      // ... but never more than the cap.
      {100, 71, 0.5, Verdict::kWithin, 0.30},
      {100, 69, 0.5, Verdict::kRegressed, 0.30},
      {100, 131, 0.5, Verdict::kImproved, 0.30},
      // A cell that delivered nothing before: anything is better.
      {0, 1, 0, Verdict::kImproved, 0.10},
      {0, 0, 0, Verdict::kWithin, 0.10},
  };
  for (const Case& c : cases) {
    const Judgement j = JudgeGoodput(c.expected, c.measured, c.relative_standard_error, rule);
    EXPECT_EQ(j.verdict, c.verdict)
        << c.expected << " -> " << c.measured << " (rse " << c.relative_standard_error << ")";
    EXPECT_DOUBLE_EQ(j.tolerance, c.tolerance) << c.expected << " -> " << c.measured;
  }
}

TEST(JudgeGoodput, ReportsTheRatio) {
  EXPECT_DOUBLE_EQ(JudgeGoodput(80, 60, 0, ToleranceRule()).ratio, 0.75);
}

}  // namespace
}  // namespace tcpaas::netsim
