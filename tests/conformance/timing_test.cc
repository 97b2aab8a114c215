#include "tests/conformance/timing.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace tcpaas::conformance {
namespace {

Instant Ms(int64_t ms) { return Instant::Zero() + Duration::Millis(ms); }

TEST(TimingTest, ToleranceIsTheLargerOfAbsoluteAndPercentOfTheGap) {
  const ToleranceRule rule;  // 4 ms, 12.5%
  EXPECT_EQ(ToleranceFor(rule, Ms(100), std::nullopt), Duration::Millis(4));
  EXPECT_EQ(ToleranceFor(rule, Ms(100), Ms(80)), Duration::Millis(4));      // 12.5% of 20 ms
  EXPECT_EQ(ToleranceFor(rule, Ms(1000), Ms(200)), Duration::Millis(100));  // 12.5% of 800
}

// Expected time x actual time grid, for point times, ranges and "*".
TEST(TimingTest, VerifyTimeTable) {
  const ToleranceRule rule;
  struct Case {
    ExpectedTime expected;
    int64_t actual_ms;
    bool ok;
  } cases[] = {
      {{TimeKind::kAbsolute, Ms(100), Ms(100)}, 100, true},
      {{TimeKind::kAbsolute, Ms(100), Ms(100)}, 104, true},
      {{TimeKind::kAbsolute, Ms(100), Ms(100)}, 96, true},
      {{TimeKind::kAbsolute, Ms(100), Ms(100)}, 105, false},
      {{TimeKind::kRelative, Ms(100), Ms(100)}, 95, false},
      {{TimeKind::kRelativeRange, Ms(210), Ms(215)}, 207, true},
      {{TimeKind::kRelativeRange, Ms(210), Ms(215)}, 219, true},
      {{TimeKind::kAbsoluteRange, Ms(210), Ms(215)}, 220, false},
      {{TimeKind::kAbsoluteRange, Ms(210), Ms(215)}, 205, false},
      {{TimeKind::kAny, Ms(0), Ms(0)}, 123456, true},
  };
  for (const Case& c : cases) {
    std::optional<std::string> err =
        VerifyTime(rule, c.expected, Ms(c.actual_ms), std::nullopt, "outbound packet");
    EXPECT_EQ(!err.has_value(), c.ok) << c.actual_ms << ": " << err.value_or("ok");
  }
}

TEST(TimingTest, MessagesSayWhatWasExpectedAndWhen) {
  std::optional<std::string> err =
      VerifyTime(ToleranceRule(), {TimeKind::kAbsolute, Ms(200), Ms(200)}, Ms(240), std::nullopt,
                 "outbound packet");
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(*err,
            "timing error: expected outbound packet at 0.200000 sec but happened at 0.240000 "
            "sec; tolerance 0.004000 sec");
}

TEST(TimingTest, LatestAcceptable) {
  const ToleranceRule rule;
  EXPECT_EQ(LatestAcceptable(rule, {TimeKind::kAbsolute, Ms(100), Ms(100)}, std::nullopt), Ms(104));
  EXPECT_EQ(LatestAcceptable(rule, {TimeKind::kRelativeRange, Ms(100), Ms(300)}, std::nullopt),
            Ms(304));
  EXPECT_TRUE(LatestAcceptable(rule, {TimeKind::kAny, Ms(0), Ms(0)}, std::nullopt).is_never());
}

}  // namespace
}  // namespace tcpaas::conformance
