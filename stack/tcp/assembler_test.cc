#include "stack/tcp/assembler.h"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

std::vector<ByteRange> Ranges(const Assembler& a) { return {a.ranges().begin(), a.ranges().end()}; }

TEST(AssemblerTest, StartsEmpty) {
  Assembler a;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.ContiguousFront(), 0u);
  EXPECT_TRUE(a.ranges().empty());
}

TEST(AssemblerTest, EmptyAddChangesNothing) {
  Assembler a;
  EXPECT_TRUE(a.Add(5, 0));
  EXPECT_TRUE(a.empty());
}

TEST(AssemblerTest, ContiguousFrontOnlyFromOffsetZero) {
  Assembler a;
  ASSERT_TRUE(a.Add(1, 4));
  EXPECT_EQ(a.ContiguousFront(), 0u);
  ASSERT_TRUE(a.Add(0, 1));
  EXPECT_EQ(a.ContiguousFront(), 5u);
}

// One existing range [10, 20) and a second one [30, 40); a new range of each shape.
struct OverlapCase {
  const char* shape;
  size_t offset;
  size_t len;
  std::vector<ByteRange> want;
};

class AssemblerOverlapTest : public testing::TestWithParam<OverlapCase> {};

TEST_P(AssemblerOverlapTest, MergesIntoDisjointNonAdjacentRanges) {
  const OverlapCase& c = GetParam();
  Assembler a;
  ASSERT_TRUE(a.Add(10, 10));
  ASSERT_TRUE(a.Add(30, 10));
  ASSERT_TRUE(a.Add(c.offset, c.len));
  EXPECT_EQ(Ranges(a), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AssemblerOverlapTest,
    testing::Values(OverlapCase{"identical", 10, 10, {{10, 20}, {30, 40}}},
                    OverlapCase{"contained", 12, 5, {{10, 20}, {30, 40}}},
                    OverlapCase{"contained_at_start", 10, 3, {{10, 20}, {30, 40}}},
                    OverlapCase{"contained_at_end", 17, 3, {{10, 20}, {30, 40}}},
                    OverlapCase{"containing", 5, 20, {{5, 25}, {30, 40}}},
                    OverlapCase{"left_overlap", 5, 10, {{5, 20}, {30, 40}}},
                    OverlapCase{"right_overlap", 15, 10, {{10, 25}, {30, 40}}},
                    OverlapCase{"adjacent_left", 5, 5, {{5, 20}, {30, 40}}},
                    OverlapCase{"adjacent_right", 20, 5, {{10, 25}, {30, 40}}},
                    OverlapCase{"disjoint_before", 0, 5, {{0, 5}, {10, 20}, {30, 40}}},
                    OverlapCase{"disjoint_between", 22, 5, {{10, 20}, {22, 27}, {30, 40}}},
                    OverlapCase{"disjoint_after", 45, 5, {{10, 20}, {30, 40}, {45, 50}}},
                    OverlapCase{"fills_gap_exactly", 20, 10, {{10, 40}}},
                    OverlapCase{"bridges_both", 15, 20, {{10, 40}}},
                    OverlapCase{"containing_both", 0, 50, {{0, 50}}}),
    [](const testing::TestParamInfo<OverlapCase>& info) { return info.param.shape; });

TEST(AssemblerTest, AdvanceShiftsAndDropsRanges) {
  Assembler a;
  ASSERT_TRUE(a.Add(0, 4));
  ASSERT_TRUE(a.Add(10, 10));
  ASSERT_TRUE(a.Add(30, 5));
  a.Advance(4);  // the front range is consumed
  EXPECT_EQ(Ranges(a), (std::vector<ByteRange>{{6, 16}, {26, 31}}));
  a.Advance(10);  // cuts into the first remaining range
  EXPECT_EQ(Ranges(a), (std::vector<ByteRange>{{0, 6}, {16, 21}}));
  EXPECT_EQ(a.ContiguousFront(), 6u);
  a.Advance(0);
  EXPECT_EQ(Ranges(a), (std::vector<ByteRange>{{0, 6}, {16, 21}}));
  a.Advance(100);
  EXPECT_TRUE(a.empty());
}

TEST(AssemblerTest, RangeLimitRejectsAtomically) {
  Assembler a;
  // kMaxRanges disjoint ranges: [1,2), [3,4), ...
  for (size_t i = 0; i < Assembler::kMaxRanges; ++i) ASSERT_TRUE(a.Add(2 * i + 1, 1)) << i;
  const std::vector<ByteRange> full = Ranges(a);
  ASSERT_EQ(full.size(), Assembler::kMaxRanges);

  // One more disjoint range, before, between (impossible here: gaps are 1 byte wide and
  // adjacent to both sides) and after the others: refused, nothing changed.
  EXPECT_FALSE(a.Add(1000, 5));
  EXPECT_EQ(Ranges(a), full);
  Assembler b;
  for (size_t i = 0; i < Assembler::kMaxRanges; ++i) ASSERT_TRUE(b.Add(10 * i + 10, 2));
  const std::vector<ByteRange> full_b = Ranges(b);
  EXPECT_FALSE(b.Add(0, 5));   // before all
  EXPECT_FALSE(b.Add(14, 3));  // between two
  EXPECT_EQ(Ranges(b), full_b);

  // Merges still work when full: they do not need a new range.
  EXPECT_TRUE(b.Add(12, 2));  // adjacent to [10,12)
  EXPECT_EQ(b.ranges().size(), Assembler::kMaxRanges);
  EXPECT_TRUE(b.Add(14, 6));  // bridges [10,14) and [20,22): frees a range
  EXPECT_EQ(b.ranges().size(), Assembler::kMaxRanges - 1);
  EXPECT_TRUE(b.Add(0, 5));  // now fits
  EXPECT_EQ(b.ranges().size(), Assembler::kMaxRanges);
}

TEST(AssemblerTest, HugeOffsetThatWouldOverflowIsRefused) {
  Assembler a;
  EXPECT_FALSE(a.Add(std::numeric_limits<size_t>::max() - 2, 5));
  EXPECT_TRUE(a.empty());
}

// All 120 orders of 5 segments, each presented relative to the current in-order end as TCP
// would: the in-order end moves only when the lowest missing segment arrives, reaches the
// total exactly, and the assembler ends empty.
TEST(AssemblerTest, AllOrdersOfFiveSegmentsCompleteOnce) {
  constexpr std::array<size_t, 5> kLens = {3, 5, 1, 7, 4};
  const size_t total = std::accumulate(kLens.begin(), kLens.end(), size_t{0});
  std::array<size_t, 5> starts{};
  for (size_t i = 1; i < 5; ++i) starts[i] = starts[i - 1] + kLens[i - 1];

  std::array<int, 5> order = {0, 1, 2, 3, 4};
  int orders = 0;
  do {
    SCOPED_TRACE(testing::Message()
                 << "order " << order[0] << order[1] << order[2] << order[3] << order[4]);
    Assembler a;
    size_t rcv_nxt = 0;  // absolute offset of the in-order end
    int advances = 0;
    for (int seg : order) {
      const size_t start = starts[seg];
      const size_t end = start + kLens[seg];
      if (end <= rcv_nxt) continue;  // already covered (never happens without overlap)
      ASSERT_TRUE(a.Add(start - rcv_nxt, end - start));
      if (const size_t front = a.ContiguousFront(); front > 0) {
        a.Advance(front);
        rcv_nxt += front;
        ++advances;
      }
    }
    EXPECT_EQ(rcv_nxt, total);
    EXPECT_TRUE(a.empty());
    // RCV.NXT moves exactly when the lowest missing segment arrives, once per such arrival.
    int expected = 0;
    size_t next = 0;
    std::array<bool, 5> have{};
    for (int seg : order) {
      have[seg] = true;
      if (!have[next]) continue;
      ++expected;
      while (next < 5 && have[next]) ++next;
    }
    EXPECT_EQ(advances, expected);
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(orders, 120);
}

}  // namespace
}  // namespace tcpaas::tcp
