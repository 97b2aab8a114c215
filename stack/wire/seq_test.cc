#include "stack/wire/seq.h"

#include <cstdint>
#include <sstream>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas {
namespace {

// Bases chosen at the edges of the 32-bit space and of the signed half-way point.
const std::vector<uint32_t> kBases = {0u,          1u,          0x7ffffffeu,
                                      0x7fffffffu, 0x80000000u, 0x80000001u,
                                      0xfffffffeu, 0xffffffffu, 0x12345678u};
// Forward distances that are unambiguous (RFC 9293 §3.4: less than 2^31).
const std::vector<uint32_t> kDeltas = {1u,          2u,          1000u,      65535u,
                                       0x40000000u, 0x7ffffffeu, 0x7fffffffu};

TEST(SeqNumTest, ComparisonsAcrossTheWrapGrid) {
  for (uint32_t base : kBases) {
    for (uint32_t delta : kDeltas) {
      SCOPED_TRACE(testing::Message() << "base=" << base << " delta=" << delta);
      const SeqNum a(base);
      const SeqNum b = a + delta;  // b is `delta` after a, wrapping modulo 2^32
      EXPECT_EQ(b.raw(), static_cast<uint32_t>(base + delta));
      EXPECT_TRUE(a < b);
      EXPECT_TRUE(a <= b);
      EXPECT_TRUE(b > a);
      EXPECT_TRUE(b >= a);
      EXPECT_FALSE(b < a);
      EXPECT_FALSE(b <= a);
      EXPECT_FALSE(a > b);
      EXPECT_FALSE(a >= b);
      EXPECT_FALSE(a == b);
      EXPECT_EQ(b - a, static_cast<int32_t>(delta));
      EXPECT_EQ(a - b, -static_cast<int32_t>(delta));
      EXPECT_EQ(b - delta, a);
      EXPECT_EQ(SeqMax(a, b), b);
      EXPECT_EQ(SeqMax(b, a), b);
      EXPECT_EQ(SeqMin(a, b), a);
      EXPECT_EQ(SeqMin(b, a), a);
    }
  }
}

TEST(SeqNumTest, EqualValuesCompareEqual) {
  for (uint32_t base : kBases) {
    const SeqNum a(base);
    EXPECT_TRUE(a == SeqNum(base));
    EXPECT_TRUE(a <= SeqNum(base));
    EXPECT_TRUE(a >= SeqNum(base));
    EXPECT_FALSE(a < SeqNum(base));
    EXPECT_FALSE(a > SeqNum(base));
    EXPECT_EQ(a - SeqNum(base), 0);
  }
}

TEST(SeqNumTest, ArithmeticWraps) {
  EXPECT_EQ(SeqNum(0xffffffffu) + 1, SeqNum(0));
  EXPECT_EQ(SeqNum(0) - 1u, SeqNum(0xffffffffu));
  EXPECT_EQ(SeqNum(0xfffffff0u) + 0x20, SeqNum(0x10));
  SeqNum s(0xfffffffeu);
  s += 5;
  EXPECT_EQ(s, SeqNum(3));
  EXPECT_EQ(SeqNum(3) - SeqNum(0xfffffffeu), 5);
  EXPECT_TRUE(SeqNum(3) > SeqNum(0xfffffffeu));
}

TEST(SeqNumTest, HalfSpaceDistanceIsMostNegative) {
  // At exactly 2^31 apart the order is undefined (RFC 1982 §3.2); the distance is INT32_MIN
  // both ways and must not trap.
  EXPECT_EQ(SeqNum(0x80000000u) - SeqNum(0), INT32_MIN);
  EXPECT_EQ(SeqNum(0) - SeqNum(0x80000000u), INT32_MIN);
}

struct RangeCase {
  uint32_t s, lo, hi;
  bool in;
};

TEST(SeqInRangeTest, EdgesTable) {
  const RangeCase cases[] = {
      // Plain range [100, 200).
      {100, 100, 200, true},
      {199, 100, 200, true},
      {200, 100, 200, false},
      {99, 100, 200, false},
      // A range that wraps: [0xfffffff0, 0x10).
      {0xfffffff0u, 0xfffffff0u, 0x10, true},
      {0xffffffffu, 0xfffffff0u, 0x10, true},
      {0, 0xfffffff0u, 0x10, true},
      {0xf, 0xfffffff0u, 0x10, true},
      {0x10, 0xfffffff0u, 0x10, false},
      {0xffffffefu, 0xfffffff0u, 0x10, false},
      // Ending exactly at the wrap: [0xffffff00, 0).
      {0xffffffffu, 0xffffff00u, 0, true},
      {0, 0xffffff00u, 0, false},
      // Starting exactly at the wrap: [0, 10).
      {0, 0, 10, true},
      {0xffffffffu, 0, 10, false},
      // An empty range holds nothing (a zero receive window).
      {5, 5, 5, false},
      {0, 0, 0, false},
      {0xffffffffu, 0xffffffffu, 0xffffffffu, false},
      // One-byte range.
      {7, 7, 8, true},
      {0xffffffffu, 0xffffffffu, 0, true},
      {0, 0xffffffffu, 0, false},
      // The largest unambiguous window, 2^31 - 1 wide.
      {0x7ffffffeu, 0, 0x7fffffffu, true},
      {0x7fffffffu, 0, 0x7fffffffu, false},
  };
  for (const RangeCase& c : cases) {
    EXPECT_EQ(SeqInRange(SeqNum(c.s), SeqNum(c.lo), SeqNum(c.hi)), c.in)
        << "s=" << c.s << " lo=" << c.lo << " hi=" << c.hi;
  }
}

TEST(SeqNumTest, PrintsRawValue) {
  std::ostringstream os;
  os << SeqNum(4294967295u);
  EXPECT_EQ(os.str(), "4294967295");
}

}  // namespace
}  // namespace tcpaas
