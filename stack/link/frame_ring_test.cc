#include "stack/link/frame_ring.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::link {
namespace {

std::vector<uint8_t> Bytes(absl::Span<const uint8_t> s) { return {s.begin(), s.end()}; }

TEST(FrameRingTest, FifoAcrossWraparound) {
  FrameRing ring(3, 8);
  for (uint8_t round = 0; round < 5; ++round) {  // wraps the 3 slots several times
    const std::vector<uint8_t> a = {round, 1}, b = {round, 2, 2};
    ASSERT_TRUE(ring.Push(a));
    ASSERT_TRUE(ring.Push(b));
    EXPECT_EQ(ring.size(), 2u);
    EXPECT_EQ(Bytes(ring.Front()), a);
    ring.Pop();
    EXPECT_EQ(Bytes(ring.Front()), b);
    ring.Pop();
    EXPECT_TRUE(ring.empty());
  }
}

TEST(FrameRingTest, RefusesWhenFullOrOversized) {
  FrameRing ring(2, 4);
  const std::vector<uint8_t> ok = {1, 2, 3, 4}, big = {1, 2, 3, 4, 5};
  EXPECT_FALSE(ring.Push(big));
  EXPECT_TRUE(ring.Push(ok));
  EXPECT_TRUE(ring.Push(ok));
  EXPECT_TRUE(ring.full());
  EXPECT_FALSE(ring.Push(ok));
  ring.Pop();
  EXPECT_TRUE(ring.Push(ok));
}

TEST(FrameRingTest, EmptyRingHasNoFront) {
  FrameRing ring(1, 4);
  EXPECT_TRUE(ring.Front().empty());
  ring.Pop();  // harmless
  EXPECT_EQ(ring.size(), 0u);
  FrameRing none(0, 4);
  EXPECT_FALSE(none.Push(std::vector<uint8_t>{1}));
}

}  // namespace
}  // namespace tcpaas::link
