// tcpi_reordering's arithmetic (Linux's tcp_check_sack_reordering): the distance from a late
// segment to the highest SACKed one, in segments rounded up, raises the degree, capped.
#include "stack/tcp/reordering.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

constexpr uint32_t kMss = 1000;

struct LateDelivery {
  uint32_t low;   // offset of the late segment
  uint32_t fack;  // offset of the end of the highest SACKed segment
};

struct ReorderingCase {
  std::string name;
  std::vector<LateDelivery> deliveries;
  uint32_t segments;
  uint32_t events;
};

class ReorderingDegreeTest : public ::testing::TestWithParam<ReorderingCase> {};

TEST_P(ReorderingDegreeTest, Degree) {
  const ReorderingCase& c = GetParam();
  const SeqNum base(4'294'960'000u);  // across the wrap
  ReorderingDegree r;
  for (const LateDelivery& d : c.deliveries) r.OnLateDelivery(base + d.low, base + d.fack, kMss);
  EXPECT_EQ(r.segments(), c.segments);
  EXPECT_EQ(r.events(), c.events);
}

INSTANTIATE_TEST_SUITE_P(
    Linux, ReorderingDegreeTest,
    ::testing::Values(ReorderingCase{"Initial", {}, 3, 0},
                      ReorderingCase{"NotBelowFackIsNoReordering", {{5 * kMss, 5 * kMss}}, 3, 0},
                      ReorderingCase{"WithinTheThresholdCountsTheEventOnly", {{0, 3 * kMss}}, 3, 1},
                      ReorderingCase{"FiveSegmentsLate", {{0, 5 * kMss}}, 5, 1},
                      ReorderingCase{"RoundsUp", {{0, 4 * kMss + 1}}, 5, 1},
                      ReorderingCase{"NeverComesDown", {{0, 9 * kMss}, {0, 4 * kMss}}, 9, 2},
                      ReorderingCase{"Grows", {{0, 4 * kMss}, {kMss, 8 * kMss}}, 7, 2},
                      ReorderingCase{"CappedAt300", {{0, 1000 * kMss}}, ReorderingDegree::kMax, 1}),
    [](const ::testing::TestParamInfo<ReorderingCase>& info) { return info.param.name; });

TEST(ReorderingDegree, NoMssNoChange) {
  ReorderingDegree r;
  r.OnLateDelivery(SeqNum(0), SeqNum(100000), 0);
  EXPECT_EQ(r.segments(), ReorderingDegree::kInitial);
}

}  // namespace
}  // namespace tcpaas::tcp
