#include "tests/support/loss_rules.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::test {
namespace {

const LossPath kPath{Ipv4Address::FromOctets(198, 18, 0, 1), Port(5201)};

TEST(LossRulesetTest, CountsAndDropsBothDirectionsOfTheFlow) {
  const std::string rules = LossRuleset(kPath, 10);
  EXPECT_NE(rules.find("delete table bridge tcpaas_bench_loss\n"), std::string::npos) << rules;
  EXPECT_NE(rules.find("type filter hook input priority filter;"), std::string::npos) << rules;
  EXPECT_NE(rules.find("type filter hook output priority filter;"), std::string::npos) << rules;
  EXPECT_NE(rules.find("ip daddr 198.18.0.1 tcp dport 5201 counter\n"), std::string::npos) << rules;
  EXPECT_NE(rules.find("ip daddr 198.18.0.1 tcp dport 5201 numgen random mod 1000 < 10 counter "
                       "drop\n"),
            std::string::npos)
      << rules;
  EXPECT_NE(rules.find("ip saddr 198.18.0.1 tcp sport 5201 numgen random mod 1000 < 10 counter "
                       "drop\n"),
            std::string::npos)
      << rules;
}

TEST(LossRulesetTest, NoLossOnlyCounts) {
  const std::string rules = LossRuleset(kPath, 0);
  EXPECT_EQ(rules.find("drop"), std::string::npos) << rules;
  EXPECT_NE(rules.find("tcp sport 5201 counter\n"), std::string::npos) << rules;
}

TEST(LossRulesetTest, ClearNeverFailsOnAMissingTable) {
  EXPECT_EQ(ClearLossRuleset(),
            "add table bridge tcpaas_bench_loss\ndelete table bridge tcpaas_bench_loss\n");
}

// What `nft list table bridge tcpaas_bench_loss` prints for the rules above.
constexpr char kListing[] = R"(table bridge tcpaas_bench_loss {
	chain to_receiver {
		type filter hook input priority filter; policy accept;
		ip daddr 198.18.0.1 tcp dport 5201 counter packets 23194 bytes 34000000
		ip daddr 198.18.0.1 tcp dport 5201 numgen random mod 1000 < 10 counter packets 236 bytes 350000 drop
	}

	chain to_sender {
		type filter hook output priority filter; policy accept;
		ip saddr 198.18.0.1 tcp sport 5201 counter packets 11020 bytes 700000
		ip saddr 198.18.0.1 tcp sport 5201 numgen random mod 1000 < 10 counter packets 108 bytes 7000 drop
	}
}
)";

TEST(ParseLossCountersTest, ReadsSeenAndDroppedPerDirection) {
  auto counters = ParseLossCounters(kListing);
  ASSERT_TRUE(counters.ok()) << counters.status();
  EXPECT_EQ(counters->to_receiver_seen, 23194u);
  EXPECT_EQ(counters->to_receiver_dropped, 236u);
  EXPECT_EQ(counters->to_sender_seen, 11020u);
  EXPECT_EQ(counters->to_sender_dropped, 108u);
  EXPECT_EQ(counters->Summary(), "data 1.02% of 23194, acks 0.98% of 11020");
}

TEST(ParseLossCountersTest, NoDropRulesMeansNothingDropped) {
  auto counters = ParseLossCounters(
      "table bridge tcpaas_bench_loss {\n chain to_receiver {\n  ip daddr 198.18.0.1 counter "
      "packets 7 bytes 1\n }\n chain to_sender {\n  ip saddr 198.18.0.1 counter packets 5 bytes "
      "1\n }\n}\n");
  ASSERT_TRUE(counters.ok()) << counters.status();
  EXPECT_EQ(counters->to_receiver_seen, 7u);
  EXPECT_EQ(counters->to_receiver_dropped, 0u);
  EXPECT_EQ(counters->to_sender_seen, 5u);
}

TEST(ParseLossCountersTest, RejectsAnotherTable) {
  EXPECT_FALSE(ParseLossCounters("table ip other {\n chain input {\n }\n}\n").ok());
  EXPECT_FALSE(ParseLossCounters("").ok());
}

TEST(ParseLossPercentagesTest, Grid) {
  struct Case {
    std::string input;
    std::vector<int> per_mille;  // empty: an error
  };
  const std::vector<Case> cases = {
      {"0,1,5", {0, 10, 50}},
      {" 0.5 , 2% ", {5, 20}},
      {"0.1", {1}},
      {"50", {500}},
      {"50.1", {}},
      {"60", {}},
      {"", {}},
      {"1,,5", {}},
      {"-1", {}},
      {"1.25", {}},
      {"x", {}},
      {".5", {}},
      {"5.", {}},
      {"1e1", {}},
  };
  for (const Case& c : cases) {
    auto got = ParseLossPercentages(c.input);
    if (c.per_mille.empty()) {
      EXPECT_FALSE(got.ok()) << "\"" << c.input << "\"";
    } else {
      ASSERT_TRUE(got.ok()) << "\"" << c.input << "\": " << got.status();
      EXPECT_EQ(*got, c.per_mille) << "\"" << c.input << "\"";
    }
  }
}

TEST(LossLabelTest, WholeAndTenths) {
  EXPECT_EQ(LossLabel(0), "0%");
  EXPECT_EQ(LossLabel(10), "1%");
  EXPECT_EQ(LossLabel(5), "0.5%");
  EXPECT_EQ(LossLabel(125), "12.5%");
}

}  // namespace
}  // namespace tcpaas::test
