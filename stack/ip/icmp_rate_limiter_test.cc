#include "stack/ip/icmp_rate_limiter.h"

#include "gtest/gtest.h"

namespace tcpaas::ip {
namespace {

int AllowedAt(IcmpRateLimiter& limiter, Instant now, int attempts) {
  int allowed = 0;
  for (int i = 0; i < attempts; ++i) allowed += limiter.Allow(now) ? 1 : 0;
  return allowed;
}

TEST(IcmpRateLimiterTest, BurstOfOneSecondThenSteadyRate) {
  IcmpRateLimiter limiter(10);
  Instant t = Instant::Zero();
  EXPECT_EQ(AllowedAt(limiter, t, 50), 10);
  t += Duration::Millis(99);
  EXPECT_EQ(AllowedAt(limiter, t, 5), 0);
  t += Duration::Millis(1);
  EXPECT_EQ(AllowedAt(limiter, t, 5), 1);
  t += Duration::Millis(350);
  EXPECT_EQ(AllowedAt(limiter, t, 5), 3);
  // A long quiet period refills the bucket, but no more than full.
  t += Duration::Seconds(3600);
  EXPECT_EQ(AllowedAt(limiter, t, 50), 10);
}

TEST(IcmpRateLimiterTest, TimeGoingBackwardsGrantsNothing) {
  IcmpRateLimiter limiter(1);
  EXPECT_TRUE(limiter.Allow(Instant::Zero() + Duration::Seconds(10)));
  EXPECT_FALSE(limiter.Allow(Instant::Zero() + Duration::Seconds(5)));
  EXPECT_FALSE(limiter.Allow(Instant::Zero() + Duration::Millis(10'999)));
  EXPECT_TRUE(limiter.Allow(Instant::Zero() + Duration::Seconds(11)));
}

TEST(IcmpRateLimiterTest, ZeroAllowsNone) {
  IcmpRateLimiter limiter(0);
  EXPECT_FALSE(limiter.Allow(Instant::Zero()));
  EXPECT_FALSE(limiter.Allow(Instant::Zero() + Duration::Seconds(100)));
}

}  // namespace
}  // namespace tcpaas::ip
