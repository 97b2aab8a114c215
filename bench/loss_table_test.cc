#include "bench/loss_table.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::bench {
namespace {

TEST(MedianTest, OddEvenEmpty) {
  EXPECT_EQ(Median({3, 1, 2}), 2.0);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(Median({7}), 7.0);
  EXPECT_FALSE(Median({}).has_value());
}

LossRow Row(int per_mille, std::vector<double> theirs, std::vector<double> ours) {
  LossRow row;
  row.per_mille = per_mille;
  row.bytes = uint64_t{32} << 20;
  row.linux_mbps = std::move(theirs);
  row.ours_mbps = std::move(ours);
  return row;
}

TEST(LossRowTest, RatioOfMedians) {
  const LossRow row = Row(10, {100, 300, 200}, {50, 10, 70});
  EXPECT_EQ(row.LinuxMedian(), 200.0);
  EXPECT_EQ(row.OursMedian(), 50.0);
  EXPECT_EQ(row.Ratio(), 0.25);
}

TEST(LossRowTest, NoRatioWithoutSamplesOnBothSides) {
  EXPECT_FALSE(Row(10, {100}, {}).Ratio().has_value());
  EXPECT_FALSE(Row(10, {}, {100}).Ratio().has_value());
  EXPECT_FALSE(Row(10, {0}, {100}).Ratio().has_value());
}

TEST(FormatTest, TableAndRatioLines) {
  LossRow failing = Row(50, {40, 60}, {});
  failing.bytes = uint64_t{8} << 20;
  failing.ours_failed = 2;
  const std::vector<LossRow> rows = {Row(0, {1000}, {420}), Row(10, {100, 300, 200}, {50, 10, 70}),
                                     failing};
  const std::string table = FormatLossTable(rows);
  EXPECT_NE(table.find("Linux Mbit/s"), std::string::npos) << table;
  EXPECT_NE(table.find("ours/Linux"), std::string::npos) << table;
  EXPECT_NE(table.find("1%     32 MiB"), std::string::npos) << table;
  EXPECT_NE(table.find("200.0"), std::string::npos) << table;
  EXPECT_NE(table.find("0.25"), std::string::npos) << table;
  EXPECT_NE(table.find("failed"), std::string::npos) << table;
  EXPECT_NE(table.find("0 of 2 runs, 2 failed"), std::string::npos) << table;
  EXPECT_NE(table.find("8 MiB"), std::string::npos) << table;

  EXPECT_EQ(FormatRatioLines(rows),
            "bench-loss: loss=0% ratio=0.42\n"
            "bench-loss: loss=1% ratio=0.25\n"
            "bench-loss: loss=5% ratio=n/a\n");
}

}  // namespace
}  // namespace tcpaas::bench
