#include "stack/ip/pmtu_cache.h"

#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::ip {
namespace {

constexpr Ipv4Address kA = Ipv4Address::FromOctets(198, 19, 0, 1);
constexpr Ipv4Address kB = Ipv4Address::FromOctets(198, 19, 0, 2);
constexpr Ipv4Address kC = Ipv4Address::FromOctets(198, 19, 0, 3);

TEST(PmtuPlateauTest, LargestPlateauBelowTheLength) {
  struct Case {
    size_t total_length;
    size_t plateau;
  };
  // RFC 1191 §7 table.
  const std::vector<Case> cases = {{65535, 32000}, {9000, 8166}, {1500, 1492}, {1492, 1006},
                                   {1006, 508},    {576, 508},   {300, 296},   {100, 68},
                                   {68, 68},       {20, 68}};
  for (const Case& c : cases) {
    EXPECT_EQ(PmtuPlateauBelow(c.total_length), c.plateau) << c.total_length;
  }
}

TEST(PmtuCacheTest, OnlyLowersAndExpires) {
  PmtuCache cache(1500, 8, Duration::Seconds(600));
  const Instant t0 = Instant::Zero();
  EXPECT_EQ(cache.PathMtu(kA), 1500u);
  EXPECT_TRUE(cache.OnFragmentationNeeded(kA, 1400, 1500, t0));
  EXPECT_FALSE(cache.OnFragmentationNeeded(kA, 1450, 1500, t0));  // not lower
  EXPECT_EQ(cache.PathMtu(kA), 1400u);
  EXPECT_EQ(cache.NextDeadline(), t0 + Duration::Seconds(600));

  // Lowering again restarts the timer (RFC 1191 §6.3).
  const Instant t1 = t0 + Duration::Seconds(100);
  EXPECT_TRUE(cache.OnFragmentationNeeded(kA, 1300, 1400, t1));
  cache.Poll(t0 + Duration::Seconds(600));
  EXPECT_EQ(cache.PathMtu(kA), 1300u);
  cache.Poll(t1 + Duration::Seconds(600));
  EXPECT_EQ(cache.PathMtu(kA), 1500u);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.NextDeadline(), Instant::Never());
}

TEST(PmtuCacheTest, BoundedByEvictingTheOldest) {
  PmtuCache cache(1500, 2, Duration::Seconds(600));
  Instant t = Instant::Zero();
  EXPECT_TRUE(cache.OnFragmentationNeeded(kA, 1400, 1500, t));
  t += Duration::Seconds(1);
  EXPECT_TRUE(cache.OnFragmentationNeeded(kB, 1400, 1500, t));
  t += Duration::Seconds(1);
  EXPECT_TRUE(cache.OnFragmentationNeeded(kC, 1400, 1500, t));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.PathMtu(kA), 1500u);
  EXPECT_EQ(cache.PathMtu(kB), 1400u);
  EXPECT_EQ(cache.PathMtu(kC), 1400u);
}

TEST(PmtuCacheTest, ZeroCapacityLearnsNothing) {
  PmtuCache cache(1500, 0, Duration::Seconds(600));
  EXPECT_FALSE(cache.OnFragmentationNeeded(kA, 1400, 1500, Instant::Zero()));
  EXPECT_EQ(cache.PathMtu(kA), 1500u);
}

}  // namespace
}  // namespace tcpaas::ip
