#include "stack/base/time.h"

#include "gtest/gtest.h"

namespace tcpaas {
namespace {

TEST(DurationTest, UnitsConvert) {
  EXPECT_EQ(Duration::Millis(1500).micros(), 1'500'000);
  EXPECT_EQ(Duration::Seconds(2).millis(), 2000);
  EXPECT_EQ((Duration::Millis(3) * 4).millis(), 12);
  EXPECT_EQ(Duration::Millis(1500).ToString(), "1.5s");
  EXPECT_EQ(Duration::Micros(250).ToString(), "250us");
}

TEST(InstantTest, NeverAbsorbsAddition) {
  EXPECT_TRUE((Instant::Never() + Duration::Seconds(1)).is_never());
  EXPECT_TRUE((Instant::Zero() + Duration::Infinite()).is_never());
  EXPECT_EQ(Instant::Zero() + Duration::Millis(5) - Instant::Zero(), Duration::Millis(5));
  EXPECT_EQ(Earliest(Instant::FromNanos(3), Instant::Never()), Instant::FromNanos(3));
}

}  // namespace
}  // namespace tcpaas
