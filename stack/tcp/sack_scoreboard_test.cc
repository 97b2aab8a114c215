// The SACK scoreboard: recording blocks (RFC 2018), D-SACK detection (RFC 2883 §4), and
// RFC 6675 §4 NextSeg(). Sequence numbers start near the
// 2^32 wrap so every case also checks modular arithmetic.
#include "stack/tcp/sack_scoreboard.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

constexpr uint32_t kMss = 1000;
// SND.UNA sits just below the wrap: segment n covers [kUna + n*kMss, kUna + (n+1)*kMss).
const SeqNum kUna(0xFFFFF000u);

SeqNum At(uint32_t segment) { return kUna + segment * kMss; }
wire::SackBlock Seg(uint32_t first, uint32_t last_excl) { return {At(first), At(last_excl)}; }

std::vector<SeqRange> Ranges(const SackScoreboard& sb) {
  std::vector<SeqRange> out;
  for (size_t i = 0; i < sb.size(); ++i) out.push_back(sb.range(i));
  return out;
}

std::string Describe(const SackScoreboard& sb) {
  std::string s;
  for (const SeqRange& r : Ranges(sb)) {
    s += "[" + std::to_string(r.left - kUna) + "," + std::to_string(r.right - kUna) + ") ";
  }
  return s;
}

// --- Update ------------------------------------------------------------------------------

struct UpdateCase {
  const char* name;
  std::vector<std::vector<wire::SackBlock>> acks;  // SACK blocks of successive ACKs at kUna
  std::vector<SeqRange> want;
  uint32_t want_sacked;
  uint32_t last_newly;  // newly SACKed bytes of the last ACK
};

class ScoreboardUpdateTest : public ::testing::TestWithParam<UpdateCase> {};

TEST_P(ScoreboardUpdateTest, RecordsAndMerges) {
  const UpdateCase& c = GetParam();
  SackScoreboard sb;
  SackUpdate u;
  for (const auto& blocks : c.acks) u = sb.Update(kUna, kUna, At(20), blocks);
  EXPECT_EQ(Ranges(sb), c.want) << Describe(sb);
  EXPECT_EQ(sb.sacked_bytes(), c.want_sacked);
  EXPECT_EQ(u.newly_sacked, c.last_newly);
}

INSTANTIATE_TEST_SUITE_P(
    Grid, ScoreboardUpdateTest,
    ::testing::Values(
        UpdateCase{"one_block", {{Seg(1, 2)}}, {{At(1), At(2)}}, kMss, kMss},
        UpdateCase{"growing_block", {{Seg(1, 2)}, {Seg(1, 3)}}, {{At(1), At(3)}}, 2 * kMss, kMss},
        UpdateCase{"repeat_is_not_new", {{Seg(1, 3)}, {Seg(1, 3)}}, {{At(1), At(3)}}, 2 * kMss, 0},
        UpdateCase{"two_holes",
                   {{Seg(5, 6), Seg(1, 2)}},
                   {{At(1), At(2)}, {At(5), At(6)}},
                   2 * kMss,
                   2 * kMss},
        UpdateCase{"adjacent_merge", {{Seg(1, 2)}, {Seg(2, 3)}}, {{At(1), At(3)}}, 2 * kMss, kMss},
        UpdateCase{"bridge_merges_three",
                   {{Seg(1, 2), Seg(4, 5), Seg(7, 8)}, {Seg(2, 7)}},
                   {{At(1), At(8)}},
                   7 * kMss,
                   4 * kMss},
        UpdateCase{"beyond_snd_max_ignored", {{Seg(19, 21)}}, {}, 0, 0},
        UpdateCase{"reversed_block_ignored", {{{At(3), At(2)}}}, {}, 0, 0}),
    [](const ::testing::TestParamInfo<UpdateCase>& info) { return std::string(info.param.name); });

// --- D-SACK (RFC 2883 §4) ---------------------------------------------------------------

TEST(ScoreboardDsack, FirstBlockBelowTheCumulativeAckIsADsack) {
  SackScoreboard sb;
  // ACK 2 with <sack 0:1>: segment 0 arrived twice.
  const SackUpdate u = sb.Update(At(2), kUna, At(10), std::vector{Seg(0, 1)});
  EXPECT_TRUE(u.dsack);
  EXPECT_EQ(u.newly_sacked, 0u);
  EXPECT_TRUE(sb.empty());
}

TEST(ScoreboardDsack, FirstBlockInsideTheSecondIsADsack) {
  SackScoreboard sb;
  // ACK 0 with <sack 3:4, 2:6>: segment 3 arrived twice, 2-5 are held out of order.
  const SackUpdate u = sb.Update(kUna, kUna, At(10), std::vector{Seg(3, 4), Seg(2, 6)});
  EXPECT_TRUE(u.dsack);
  EXPECT_EQ(Ranges(sb), (std::vector<SeqRange>{{At(2), At(6)}}));
  EXPECT_EQ(u.newly_sacked, 4 * kMss) << "the second block still counts";
}

TEST(ScoreboardDsack, OrdinaryFirstBlockIsNotADsack) {
  SackScoreboard sb;
  const SackUpdate u = sb.Update(kUna, kUna, At(10), std::vector{Seg(6, 7), Seg(2, 4)});
  EXPECT_FALSE(u.dsack);
  EXPECT_EQ(sb.size(), 2u);
}

TEST(ScoreboardDsack, LaterBlocksBelowSndUnaAreIgnoredNotDsacks) {
  SackScoreboard sb;
  const SackUpdate u = sb.Update(At(2), At(2), At(10), std::vector{Seg(4, 5), Seg(0, 1)});
  EXPECT_FALSE(u.dsack);
  EXPECT_EQ(u.ignored_blocks, 1u);
  EXPECT_EQ(Ranges(sb), (std::vector<SeqRange>{{At(4), At(5)}}));
}

// --- Cumulative ACKs and bounds ---------------------------------------------------------

TEST(ScoreboardAdvance, CumulativeAckForgetsAndTrims) {
  SackScoreboard sb;
  sb.Update(kUna, kUna, At(20), std::vector{Seg(2, 4), Seg(6, 9)});
  EXPECT_EQ(sb.sacked_bytes(), 5 * kMss);
  sb.AdvanceTo(At(7));  // a receiver that ACKs into a SACKed range
  EXPECT_EQ(Ranges(sb), (std::vector<SeqRange>{{At(7), At(9)}}));
  EXPECT_EQ(sb.sacked_bytes(), 2 * kMss);
  sb.AdvanceTo(At(9));
  EXPECT_TRUE(sb.empty());
  EXPECT_EQ(sb.sacked_bytes(), 0u);
}

TEST(ScoreboardBounds, AtMostKMaxRangesTheHighestIsForgotten) {
  SackScoreboard sb;
  const uint32_t n = SackScoreboard::kMaxRanges + 4;
  // Every other segment SACKed, from the top down: each new range is lower than the others.
  for (uint32_t i = n; i-- > 0;) {
    sb.Update(kUna, kUna, At(2 * n + 2), std::vector{Seg(2 * i + 1, 2 * i + 2)});
  }
  ASSERT_EQ(sb.size(), SackScoreboard::kMaxRanges);
  EXPECT_EQ(sb.range(0).left, At(1));
  EXPECT_EQ(sb.high_sacked(), At(2 * SackScoreboard::kMaxRanges));
  EXPECT_EQ(sb.sacked_bytes(), SackScoreboard::kMaxRanges * kMss);
  // A range above all the others is not taken when full.
  sb.Update(kUna, kUna, At(2 * n + 2), std::vector{Seg(2 * n + 1, 2 * n + 2)});
  EXPECT_EQ(sb.high_sacked(), At(2 * SackScoreboard::kMaxRanges));
}

// --- NextSeg (RFC 6675 §4) --------------------------------------------------------------

TEST(ScoreboardNextSeg, Rule1LostHolesInOrderAboveHighRxt) {
  SackScoreboard sb;
  sb.Update(kUna, kUna, At(10), std::vector{Seg(3, 6), Seg(1, 2)});
  const SeqNum edge = At(3);  // everything unSACKed below segment 3 is lost
  auto next = sb.NextSeg(kUna, At(10), kUna, edge, kMss, false, false);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->rule, NextSegment::Rule::kLost);
  EXPECT_EQ(next->seq, At(0));
  EXPECT_EQ(next->len, kMss);
  next = sb.NextSeg(kUna, At(10), At(1), edge, kMss, false, false);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->seq, At(2)) << "skips the SACKed segment 1";
  EXPECT_FALSE(sb.NextSeg(kUna, At(10), At(3), edge, kMss, false, false).has_value())
      << "nothing lost above HighRxt; rule 3 and 4 not allowed";
}

TEST(ScoreboardNextSeg, Rule1NeverOverlapsSackedBytes) {
  SackScoreboard sb;
  sb.Update(kUna, kUna, At(10), std::vector<wire::SackBlock>{{At(0) + 300, At(5)}});
  auto next = sb.NextSeg(kUna, At(10), kUna, At(0) + 300, kMss, false, false);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->len, 300u);
}

TEST(ScoreboardNextSeg, Rule3UnsackedBelowHighSackWhenNothingIsLost) {
  SackScoreboard sb;
  sb.Update(kUna, kUna, At(10), std::vector{Seg(1, 2)});
  const SeqNum edge = kUna;  // nothing lost
  EXPECT_FALSE(sb.NextSeg(kUna, At(10), kUna, edge, kMss, false, false).has_value());
  auto next = sb.NextSeg(kUna, At(10), kUna, edge, kMss, true, false);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->rule, NextSegment::Rule::kUnsacked);
  EXPECT_EQ(next->seq, At(0));
  EXPECT_FALSE(sb.NextSeg(kUna, At(10), At(1), edge, kMss, true, false).has_value())
      << "above HighSACK is not rule 3's";
}

TEST(ScoreboardNextSeg, Rule4RescueHoldsTheHighestUnsackedByte) {
  SackScoreboard sb;
  sb.Update(kUna, kUna, At(10), std::vector{Seg(1, 2)});
  auto next = sb.NextSeg(kUna, At(10), At(1), kUna, kMss, true, true);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->rule, NextSegment::Rule::kRescue);
  EXPECT_EQ(next->seq, At(9));
  EXPECT_EQ(next->len, kMss);
  // When the top is SACKed, the rescue is the end of the hole below it.
  SackScoreboard top;
  top.Update(kUna, kUna, At(10), std::vector{Seg(8, 10)});
  next = top.NextSeg(kUna, At(10), kUna, kUna, kMss, false, true);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->seq, At(7));
  // Not when that segment was retransmitted already (HighRxt above it).
  EXPECT_FALSE(top.NextSeg(kUna, At(10), At(8), kUna, kMss, true, true).has_value());
}

TEST(ScoreboardNextSeg, LossEdgeAtSndMaxMarksEverythingUnsacked) {
  // After a timeout (RFC 6675 §5.1) the caller treats every unSACKed byte as lost.
  SackScoreboard sb;
  sb.Update(kUna, kUna, At(6), std::vector{Seg(1, 2), Seg(4, 5)});
  std::vector<SeqNum> sent;
  SeqNum high_rxt = kUna;
  while (auto next = sb.NextSeg(kUna, At(6), high_rxt, At(6), kMss, false, false)) {
    sent.push_back(next->seq);
    high_rxt = next->seq + next->len;
  }
  EXPECT_EQ(sent, (std::vector<SeqNum>{At(0), At(2), At(3), At(5)}));
}

}  // namespace
}  // namespace tcpaas::tcp
