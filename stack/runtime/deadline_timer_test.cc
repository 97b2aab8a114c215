#include "stack/runtime/deadline_timer.h"

#include <poll.h>

#include "gtest/gtest.h"
#include "stack/runtime/clock.h"

namespace tcpaas::runtime {
namespace {

// Waits up to `timeout_ms` for the timer's fd; returns whether it became readable.
bool WaitReadable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN) != 0;
}

TEST(DeadlineTimerTest, FiresAtTheDeadlineNotBefore) {
  DeadlineTimer timer;
  ASSERT_TRUE(timer.Init().ok());
  const Instant deadline = MonotonicNow() + Duration::Millis(30);
  ASSERT_TRUE(timer.Arm(deadline).ok());
  EXPECT_FALSE(WaitReadable(timer.fd(), 0));
  ASSERT_TRUE(WaitReadable(timer.fd(), 5000)) << "timer did not fire within 5s";
  EXPECT_GE(MonotonicNow(), deadline);
  timer.Acknowledge();
  EXPECT_FALSE(WaitReadable(timer.fd(), 0));
  EXPECT_TRUE(timer.armed().is_never());
}

TEST(DeadlineTimerTest, ArmsTheKernelOnlyWhenTheDeadlineChanges) {
  DeadlineTimer timer;
  ASSERT_TRUE(timer.Init().ok());
  const Instant deadline = MonotonicNow() + Duration::Seconds(100);
  ASSERT_TRUE(timer.Arm(deadline).ok());
  ASSERT_TRUE(timer.Arm(deadline).ok());
  EXPECT_EQ(timer.settime_calls(), 1);
  ASSERT_TRUE(timer.Arm(deadline + Duration::Millis(1)).ok());
  EXPECT_EQ(timer.settime_calls(), 2);
  // After an expiry is acknowledged the same deadline must be armed again.
  timer.Acknowledge();
  ASSERT_TRUE(timer.Arm(deadline + Duration::Millis(1)).ok());
  EXPECT_EQ(timer.settime_calls(), 3);
}

TEST(DeadlineTimerTest, NeverDisarmsAndPastDeadlinesFireAtOnce) {
  DeadlineTimer timer;
  ASSERT_TRUE(timer.Init().ok());
  ASSERT_TRUE(timer.Arm(MonotonicNow() + Duration::Millis(20)).ok());
  ASSERT_TRUE(timer.Arm(Instant::Never()).ok());
  EXPECT_FALSE(WaitReadable(timer.fd(), 100)) << "a disarmed timer fired";

  ASSERT_TRUE(timer.Arm(MonotonicNow() - Duration::Seconds(1)).ok());
  EXPECT_TRUE(WaitReadable(timer.fd(), 1000));
  timer.Acknowledge();
  ASSERT_TRUE(timer.Arm(Instant::Zero()).ok());
  EXPECT_TRUE(WaitReadable(timer.fd(), 1000)) << "a deadline at the epoch must fire, not disarm";
}

}  // namespace
}  // namespace tcpaas::runtime
