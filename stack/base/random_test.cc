#include "stack/base/random.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas {
namespace {

TEST(SplitMix64Test, MatchesReferenceOutputs) {
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64(&state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64(&state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(SplitMix64(&state), 0x06c45d188009454fULL);
}

TEST(RngTest, MatchesXoshiro256StarStarReference) {
  Rng rng = Rng::FromState({1, 2, 3, 4});
  const std::array<uint64_t, 6> expected = {11520ULL,
                                            0ULL,
                                            1509978240ULL,
                                            1215971899390074240ULL,
                                            1216172134540287360ULL,
                                            607988272756665600ULL};
  for (uint64_t want : expected) EXPECT_EQ(rng.Next64(), want);
}

TEST(RngTest, SameSeedSameSequenceOtherSeedOrStreamDiffers) {
  Rng a(42), b(42), c(43), d(42, /*stream=*/1);
  int equal_c = 0, equal_d = 0;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next64();
    EXPECT_EQ(x, b.Next64());
    equal_c += x == c.Next64();
    equal_d += x == d.Next64();
  }
  EXPECT_EQ(equal_c, 0);
  EXPECT_EQ(equal_d, 0);
}

TEST(RngTest, UniformStaysInRangeAndCoversIt) {
  Rng rng(7);
  std::vector<int> histogram(10);
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    const uint64_t v = rng.Uniform(10);
    ASSERT_LT(v, 10u);
    ++histogram[v];
  }
  // Each bucket expects 10000 with sigma ~95; 6 sigma keeps the fixed seed far from the edge.
  for (int count : histogram) EXPECT_NEAR(count, kDraws / 10.0, 600);
  EXPECT_EQ(rng.Uniform(0), 0u);
  EXPECT_EQ(rng.Uniform(1), 0u);
}

TEST(RngTest, UniformDoubleInHalfOpenUnitInterval) {
  Rng rng(9);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.UniformDouble();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

TEST(RngTest, BernoulliEdgesAndRate) {
  Rng rng(11);
  int hits = 0;
  for (int i = 0; i < 100000; ++i) {
    EXPECT_FALSE(rng.Bernoulli(0));
    EXPECT_TRUE(rng.Bernoulli(1));
    hits += rng.Bernoulli(0.25);
  }
  EXPECT_NEAR(hits, 25000, 700);  // sigma ~137
}

}  // namespace
}  // namespace tcpaas
