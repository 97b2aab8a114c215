// Fairness of 2 and 4 competing flows through one bottleneck (fairness.h), per congestion
// control: Jain's index over their goodputs must reach 0.9.
#include "tests/netsim/fairness.h"

#include <cstdio>
#include <string>
#include <tuple>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/netsim/netsim_flags.h"

namespace tcpaas::netsim {
namespace {

constexpr double kMinJainIndex = 0.9;
// Even shares of nothing would be fair too: together the flows must also use the bottleneck
// (drop-tail with one BDP of queue lets Reno-style flows keep it busy).
constexpr double kMinUtilization = 0.8;

TEST(JainIndex, EqualSharesAreOneAndOneHogIsOneOverN) {
  const double equal[] = {5, 5, 5, 5};
  const double hog[] = {8, 0, 0, 0};
  const double two_to_one[] = {2, 1};
  EXPECT_DOUBLE_EQ(JainIndex(equal), 1.0);
  EXPECT_DOUBLE_EQ(JainIndex(hog), 0.25);
  EXPECT_DOUBLE_EQ(JainIndex(two_to_one), 9.0 / 10.0);
  EXPECT_EQ(JainIndex({}), 0);
}

class NetsimFairness : public testing::TestWithParam<std::tuple<std::string, size_t>> {};

TEST_P(NetsimFairness, FlowsShareTheBottleneck) {
  const FairnessSetup setup{std::get<0>(GetParam()), std::get<1>(GetParam())};
  const uint64_t seed = absl::GetFlag(FLAGS_netsim_seed);
  const FairnessResult result = RunFairness(setup, seed);
  std::printf("%s  (%.1f s real)\n", FormatFairness(setup, seed, result).c_str(),
              result.real_seconds);
  std::string evidence;
  const bool failed = !result.outcome.ok || result.jain_index < kMinJainIndex ||
                      result.total_mbps < kMinUtilization * result.bottleneck_mbps;
  if (failed) {
    const std::string prefix =
        absl::StrCat(ArtifactsDir(), "/netsim-fairness-", setup.congestion_control, "-",
                     setup.flows, "flows-seed", seed);
    RunFairness(setup, seed, prefix);
    evidence = absl::StrCat("\n  pcaps: ", prefix,
                            "-{a,b}.pcap\n  replay: netsim_test "
                            "--gtest_filter='*NetsimFairness.*' --netsim_seed=",
                            seed);
  }
  ASSERT_TRUE(result.outcome.ok) << "seed " << seed << ": " << result.outcome.failure << evidence;
  EXPECT_GE(result.jain_index, kMinJainIndex) << "seed " << seed << evidence;
  EXPECT_GE(result.total_mbps, kMinUtilization * result.bottleneck_mbps)
      << "seed " << seed << evidence;
}

INSTANTIATE_TEST_SUITE_P(CongestionControls, NetsimFairness,
                         testing::Combine(testing::Values("newreno", "cubic"),
                                          testing::Values(2, 4)),
                         [](const testing::TestParamInfo<NetsimFairness::ParamType>& info) {
                           return absl::StrCat(std::get<0>(info.param), "_",
                                               std::get<1>(info.param), "flows");
                         });

}  // namespace
}  // namespace tcpaas::netsim
