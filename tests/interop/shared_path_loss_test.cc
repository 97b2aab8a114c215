// Issue 5, interop under loss: our stack and the Linux kernel's TCP each send 64 MiB to the
// same Linux receiver, over the same bridge and through the same nftables loss rules, at 1%
// and 5% (tests/support/shared_path_network.h; the loss benchmark measures on the same path
// with the same runs, tests/support/goodput_run.h). Both payloads must arrive whole (length
// and SHA-256). Both durations and their ratio are reported, never asserted: the figures
// depend on the machine. Needs root and /dev/net/tun; skips with the reason otherwise.
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "tests/support/goodput_run.h"
#include "tests/support/loss_rules.h"
#include "tests/support/netns.h"
#include "tests/support/shared_path_network.h"

ABSL_DECLARE_FLAG(int64_t, interop_lossy_mib);  // interop_test.cc

namespace tcpaas::interop {
namespace {

using test::RunResult;
using test::SharedPathNetwork;

constexpr uint64_t kPayloadSeed = 0x7061746873;  // "paths"

void Report(const std::string& what, const std::string& line) {
  std::cout << "[ interop  ] " << what << ": " << line << std::endl;
  ::testing::Test::RecordProperty(what, line);
}

// Checks one sender's run: it completed, the receiver got every byte with the payload's hash,
// and the loss rules dropped packets in both directions while it ran.
void ExpectDelivered(const RunResult& run, const test::Payload& payload, const std::string& who) {
  EXPECT_TRUE(run.status.ok()) << who << ": " << run.status;
  EXPECT_EQ(run.bytes_received, payload.bytes.size()) << who;
  EXPECT_EQ(run.sha256_received, payload.sha256) << who;
  EXPECT_GT(run.loss.to_receiver_dropped, 0u) << who << ": no data segment was dropped";
  EXPECT_GT(run.loss.to_sender_dropped, 0u) << who << ": no ACK was dropped";
}

class SharedPathLossTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    std::string reason;
    if (!test::CanUseNetworkDevices(&reason)) GTEST_SKIP() << reason;
    test::SharedPathOptions options;
    options.netns_tag = "interop";
    auto network = SharedPathNetwork::Create(std::move(options));
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = std::move(*network);
  }

  std::unique_ptr<SharedPathNetwork> network_;
};

// (a) our stack -> Linux receiver and (b) a Linux sender -> the same Linux receiver, one after
// the other, each under the same random loss of `per_mille`/1000 in both directions.
TEST_P(SharedPathLossTest, OursAndLinuxToLinuxReceiver) {
  const int per_mille = GetParam();
  const test::Payload payload = test::Payload::Make(
      static_cast<uint64_t>(absl::GetFlag(FLAGS_interop_lossy_mib)) << 20, kPayloadSeed);
  const std::string label = absl::StrFormat("shared_path_loss_%.1fpct", per_mille / 10.0);

  const RunResult linux_run = test::RunLinuxSender(*network_, payload, per_mille, "");
  Report(absl::StrCat(label, "_linux"), linux_run.Summary());
  const RunResult our_run =
      test::RunOurSender(*network_, payload, per_mille, network_->options().tcp.defaults);
  Report(absl::StrCat(label, "_ours"), our_run.Summary());

  ExpectDelivered(linux_run, payload, "Linux -> Linux");
  ExpectDelivered(our_run, payload, "ours -> Linux");
  const double linux_s = linux_run.elapsed.seconds();
  const double ours_s = our_run.elapsed.seconds();
  Report(absl::StrCat(label, "_durations"),
         absl::StrFormat("loss %s, %.1f MiB each: ours %.2fs, Linux %.2fs, time ours/Linux %s",
                         test::LossLabel(per_mille),
                         static_cast<double>(payload.bytes.size()) / (1 << 20), ours_s, linux_s,
                         linux_s > 0 ? absl::StrFormat("%.2f", ours_s / linux_s) : "n/a"));
}

INSTANTIATE_TEST_SUITE_P(Loss, SharedPathLossTest, ::testing::Values(10, 50),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == 10 ? std::string("OnePercent")
                                                   : std::string("FivePercent");
                         });

}  // namespace
}  // namespace tcpaas::interop
