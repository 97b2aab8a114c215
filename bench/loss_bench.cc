// bench-loss (issue 5): the goodput of our stack's TCP over the Linux kernel's, at 0%, 1% and
// 5% random loss, on the same path in the same run. See bench/README.md for the topology, the
// flags and how to read the ratio.
//
// Exit status: 0 when every run completed (the ratios are a report, not a verdict; also 0
// with "skipped: <reason>" without root or /dev/net/tun), 1 when a transfer failed (an error
// or bytes that differ at the receiver), 2 for bad flags or a network that could not be set up.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/interrupt_cleanup.h"
#include "bench/loss_table.h"
#include "stack/tcp/congestion/congestion_control.h"
#include "tests/support/command.h"
#include "tests/support/goodput_run.h"
#include "tests/support/loss_rules.h"
#include "tests/support/netns.h"
#include "tests/support/shared_path_network.h"

ABSL_FLAG(std::string, losses, "0,1,5", "loss rates in percent, comma-separated (0.1 steps)");
ABSL_FLAG(int64_t, mib, 32, "MiB moved per run");
ABSL_FLAG(int64_t, high_loss_mib, 8, "MiB moved per run at 5% loss and above");
ABSL_FLAG(int32_t, repeats, 3, "runs per sender and loss rate; the table shows the median");
ABSL_FLAG(std::string, cc, "cubic", "our stack's congestion control (cubic, newreno)");
ABSL_FLAG(std::string, linux_cc, "",
          "the Linux sender's congestion control (TCP_CONGESTION); empty: the kernel default");
ABSL_FLAG(int64_t, ours_send_buffer_kib, 0, "our stack's send buffer in KiB; 0: its default");
ABSL_FLAG(int64_t, rtt_ms, 10, "round-trip delay added with tc netem where the kernel has it");
ABSL_FLAG(int64_t, stall_timeout_s, 60, "a transfer that makes no progress this long fails");
ABSL_FLAG(std::string, pcap, "", "record our stack's frames (headers) to this file");
ABSL_FLAG(uint64_t, seed, 1, "seed of the payload's byte pattern");

namespace tcpaas::bench {
namespace {

constexpr int kExitRunFailed = 1;
constexpr int kExitSetup = 2;
constexpr int kHighLossPerMille = 50;
using Net = test::SharedPathNetwork;

// A completed run is a goodput sample; a failed one is counted.
void Record(const test::RunResult& result, std::vector<double>* samples, int* failed) {
  if (result.status.ok()) {
    samples->push_back(result.Mbps());
  } else {
    ++*failed;
  }
}

int Fail(const std::string& message) {
  std::cerr << "bench-loss: " << message << std::endl;
  return kExitSetup;
}

int Main() {
  auto losses = test::ParseLossPercentages(absl::GetFlag(FLAGS_losses));
  if (!losses.ok()) return Fail(absl::StrCat("--losses: ", losses.status().message()));
  const int repeats = absl::GetFlag(FLAGS_repeats);
  const int64_t mib = absl::GetFlag(FLAGS_mib);
  const int64_t high_loss_mib = absl::GetFlag(FLAGS_high_loss_mib);
  if (repeats < 1) return Fail("--repeats must be at least 1");
  if (mib < 1 || high_loss_mib < 1 || mib > 4096 || high_loss_mib > 4096) {
    return Fail("--mib and --high_loss_mib must be within 1..4096");
  }
  const std::string cc = absl::GetFlag(FLAGS_cc);
  if (auto made = tcp::MakeCongestionControl(cc, 1460, 10); !made.ok()) {
    return Fail(absl::StrCat("--cc: ", made.status().message()));
  }
  const std::string linux_cc = absl::GetFlag(FLAGS_linux_cc);

  if (std::string why; !test::CanUseNetworkDevices(&why)) {
    std::cout << "bench-loss: skipped: " << why << std::endl;
    return 0;
  }
  if (!test::HaveProgram("nft")) return Fail("needs `nft` (nftables) for the loss rules");
  if (absl::Status s = InstallInterruptCleanup(); !s.ok()) return Fail(s.ToString());

  test::SharedPathOptions options;
  options.netns_tag = "bench";
  options.on_netns_created = RegisterNamespace;
  options.on_netns_deleting = UnregisterNamespace;
  options.added_rtt = Duration::Millis(absl::GetFlag(FLAGS_rtt_ms));
  options.stall_timeout = Duration::Seconds(absl::GetFlag(FLAGS_stall_timeout_s));
  options.pcap_path = absl::GetFlag(FLAGS_pcap);
  tcp::ConnectionOptions ours = options.tcp.defaults;
  ours.congestion_control = cc;
  if (const int64_t kib = absl::GetFlag(FLAGS_ours_send_buffer_kib); kib > 0) {
    ours.send_buffer_bytes = static_cast<size_t>(kib) * 1024;
  }
  auto network = Net::Create(options);
  if (!network.ok()) {
    return Fail(absl::StrCat("cannot set up the network: ", network.status().ToString()));
  }
  Net& net = **network;

  std::cout << "bench-loss: one bulk flow into a Linux receiver; Linux's TCP, then ours, on the "
               "same path\n"
            << "  receiver  " << Net::kReceiverAddress.ToString() << ":"
            << Net::kReceiverPort.value() << " on bridge br0 in " << net.receiver_netns() << "\n"
            << "  senders   Linux " << Net::kLinuxSenderAddress.ToString() << " (veth from "
            << net.sender_netns() << "), ours " << Net::kStackAddress.ToString() << " (TAP)\n"
            << "  delay     " << net.delay_note() << "\n"
            << "  loss      nftables numgen random on br0's input (data) and output (ACKs)\n"
            << "  ours      --cc=" << cc << ", send buffer " << ours.send_buffer_bytes / 1024
            << " KiB\n"
            << "  Linux     "
            << (linux_cc.empty() ? absl::StrCat(net.LinuxDefaultCongestionControl(),
                                                " (the kernel's default; --linux_cc to choose)")
                                 : absl::StrCat("--linux_cc=", linux_cc))
            << "\n"
            << "  runs      " << repeats << " per sender and loss, Linux then ours; goodput = "
            << "payload / (first write .. receiver's last byte)\n"
            << std::endl;

  std::vector<LossRow> rows;
  bool any_failed = false;
  for (const int per_mille : *losses) {
    LossRow row;
    row.per_mille = per_mille;
    row.bytes = static_cast<uint64_t>(per_mille >= kHighLossPerMille ? high_loss_mib : mib) << 20;
    const test::Payload payload = test::Payload::Make(row.bytes, absl::GetFlag(FLAGS_seed));
    for (int run = 1; run <= repeats; ++run) {
      const std::string label =
          absl::StrFormat("loss %-5s run %d/%d", test::LossLabel(per_mille), run, repeats);
      const test::RunResult kernel_run = test::RunLinuxSender(net, payload, per_mille, linux_cc);
      std::cout << label << "  Linux " << kernel_run.Summary() << std::endl;
      const test::RunResult our_run = test::RunOurSender(net, payload, per_mille, ours);
      std::cout << label << "  ours  " << our_run.Summary() << std::endl;
      Record(kernel_run, &row.linux_mbps, &row.linux_failed);
      Record(our_run, &row.ours_mbps, &row.ours_failed);
      any_failed = any_failed || !kernel_run.status.ok() || !our_run.status.ok();
    }
    rows.push_back(std::move(row));
  }

  std::cout << "\n" << FormatLossTable(rows) << "\n" << FormatRatioLines(rows) << std::flush;
  return any_failed ? kExitRunFailed : 0;
}

}  // namespace
}  // namespace tcpaas::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Goodput of our stack's TCP over Linux's under 0%, 1% and 5% loss, same path, same run "
      "(bench/README.md). Needs root and /dev/net/tun.");
  absl::ParseCommandLine(argc, argv);
  return tcpaas::bench::Main();
}
