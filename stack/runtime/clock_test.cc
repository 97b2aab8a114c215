#include "stack/runtime/clock.h"

#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace tcpaas::runtime {
namespace {

TEST(ClockTest, MonotonicNowNeverGoesBackAndAdvancesWithRealTime) {
  Instant previous = MonotonicNow();
  for (int i = 0; i < 10000; ++i) {
    const Instant now = MonotonicNow();
    ASSERT_GE(now, previous) << "CLOCK_MONOTONIC went backwards at read " << i;
    previous = now;
  }
  const Instant before = MonotonicNow();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const Duration slept = MonotonicNow() - before;
  EXPECT_GE(slept, Duration::Millis(20));
  EXPECT_LT(slept, Duration::Seconds(10)) << "is the clock in nanoseconds?";
  EXPECT_GT(before.nanos(), 0);
}

}  // namespace
}  // namespace tcpaas::runtime
