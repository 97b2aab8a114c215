#include "tests/interop/interop_harness.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "stack/host/host.h"
#include "tests/support/tap_stack.h"

namespace tcpaas::interop {
namespace {

// Our stack's MAC on the TAP: locally administered, unicast. Each test has its own namespace,
// so one fixed address is enough.
constexpr MacAddress kStackMac({0x02, 0x00, 0x5e, 0x12, 0x00, 0x02});
constexpr char kLossTable[] = "tcpaas_loss";
// Where the loss rules send the kernel's packets they steal (see SetTcpLoss).
constexpr char kBlackHole[] = "lossbh";
constexpr char kBlackHolePeer[] = "lossbh-peer";

std::string SafeFileName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out.empty() ? "unnamed" : out;
}

// A TAP name unique to this process and harness, within IFNAMSIZ - 1 = 15 characters.
std::string UniqueTapName() {
  static std::atomic<int> counter{0};
  std::string name = absl::StrFormat("ti%d-%d", ::getpid(), counter.fetch_add(1));
  return name.substr(0, 15);
}

absl::Status CommandError(const std::vector<std::string>& argv, const test::CommandResult& r) {
  return absl::InternalError(
      absl::StrCat("`", absl::StrJoin(argv, " "), "` exited ", r.exit_code, ": ", r.output));
}

}  // namespace

std::string ArtifactsDir() {
  const char* dir = std::getenv("TCPAAS_ARTIFACTS_DIR");
  return (dir != nullptr && *dir != '\0') ? dir : "/tmp/tcpaas-artifacts";
}

std::string CurrentTestName() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "no_test";
  return SafeFileName(absl::StrCat(info->test_suite_name(), ".", info->name()));
}

absl::StatusOr<std::unique_ptr<InteropHarness>> InteropHarness::Create(InteropOptions options) {
  std::unique_ptr<InteropHarness> harness(new InteropHarness());
  // On failure the partly built harness is destroyed here, which undoes what was done.
  if (absl::Status s = harness->Init(std::move(options)); !s.ok()) return s;
  return harness;
}

absl::Status InteropHarness::Init(InteropOptions options) {
  options_ = std::move(options);
  if (options_.name.empty()) options_.name = CurrentTestName();
  if (!options_.failed) options_.failed = [] { return ::testing::Test::HasFailure(); };

  auto ns = test::TestNetns::Create("interop");
  if (!ns.ok()) return ns.status();
  netns_ = std::move(*ns);

  std::error_code ec;
  std::filesystem::create_directories(ArtifactsDir(), ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot create ", ArtifactsDir(), ": ", ec.message()));
  }
  pcap_path_ = absl::StrCat(ArtifactsDir(), "/", options_.name, ".pcap");

  tap_name_ = UniqueTapName();
  test::TapStackOptions stack_options;
  stack_options.netns = netns_->name();
  stack_options.tap_name = tap_name_;
  stack_options.mac = kStackMac;
  stack_options.address = Ipv4Cidr{kStackAddress, kPrefixLength};
  stack_options.mtu = options_.mtu;
  stack_options.tcp = options_.tcp;
  stack_options.thread_name = "interop-stack";
  stack_options.pcap_path = pcap_path_;
  stack_options.pcap_snaplen = options_.pcap_snaplen;
  stack_options.pcap_max_bytes = options_.pcap_max_bytes;
  auto stack = test::TapStack::Start(stack_options);
  if (!stack.ok()) return stack.status();
  stack_ = std::move(*stack);

  // Kernel side. gso_max_segs 1 makes the kernel's TCP build one skb per segment, so the
  // nftables loss rules (which see skbs before software GSO cuts them) drop single segments
  // rather than 64 KiB bursts; what goes over the TAP is the same either way.
  return netns_->ExecAll({
      {"ip", "link", "set", "lo", "up"},
      {"ip", "link", "set", tap_name_, "gso_max_segs", "1"},
      {"ip", "addr", "add", absl::StrCat(kKernelAddress.ToString(), "/", kPrefixLength), "dev",
       tap_name_},
      {"ip", "link", "set", tap_name_, "up"},
  });
}

InteropHarness::~InteropHarness() {
  stack_.reset();  // stops the stack, closes the capture and the TAP
  netns_.reset();  // `ip netns del`: the kernel sockets' namespace goes with the last socket

  if (!pcap_path_.empty()) {
    const char* keep_all = std::getenv("TCPAAS_KEEP_PCAPS");
    if (options_.failed() || (keep_all != nullptr && *keep_all != '\0')) {
      std::cout << "[ interop  ] capture kept: " << pcap_path_ << std::endl;
    } else {
      std::remove(pcap_path_.c_str());
    }
  }
}

const std::string& InteropHarness::netns() const { return netns_->name(); }

test::CommandResult InteropHarness::RunInNetns(const std::vector<std::string>& argv) {
  return netns_->Run(argv);
}

absl::StatusOr<test::KernelSocket> InteropHarness::KernelListen(Port port, int backlog) {
  return test::KernelSocket::Listen(netns(), Endpoint{kKernelAddress, port}, backlog,
                                    options_.kernel_io_timeout);
}

absl::StatusOr<test::KernelSocket> InteropHarness::KernelConnect(Port stack_port) {
  return test::KernelSocket::Connect(netns(), Endpoint{kStackAddress, stack_port},
                                     options_.kernel_io_timeout);
}

absl::Status InteropHarness::SetTcpLoss(int per_mille) {
  if (per_mille < 0 || per_mille > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("loss of ", per_mille, " per mille"));
  }
  // Towards the kernel: dropping in the input hook is real loss, our stack being the sender.
  // Towards our stack the kernel is the sender, and a drop verdict anywhere on its output
  // path (output, postrouting, egress) is reported back to its TCP as a local transmit
  // failure: it sends the segment again later without ever counting a loss. So those
  // packets are instead stolen in the TAP's egress hook and forwarded into a black hole (a
  // veth whose peer is down); the kernel's TCP sees a successful transmit that never arrives.
  if (per_mille > 0 && !black_hole_ready_) {
    for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
             {"ip", "link", "add", kBlackHole, "type", "veth", "peer", "name", kBlackHolePeer},
             {"ip", "link", "set", kBlackHole, "up"},
         }) {
      if (absl::Status s = netns_->Exec(argv); !s.ok()) return s;
    }
    black_hole_ready_ = true;
  }
  // Re-creating the tables replaces earlier rules ("add" then "delete" never fails).
  std::string rules = absl::StrFormat(
      "add table ip %1$s\ndelete table ip %1$s\nadd table netdev %1$s\n"
      "delete table netdev %1$s\n",
      kLossTable);
  if (per_mille > 0) {
    // nft refuses "numgen random mod 1000 < 1000": losing everything needs no condition.
    const std::string chance =
        per_mille < 1000 ? absl::StrCat("numgen random mod 1000 < ", per_mille, " ") : "";
    absl::StrAppendFormat(&rules,
                          "table ip %1$s {\n"
                          "  chain input {\n"
                          "    type filter hook input priority filter; policy accept;\n"
                          "    ip saddr %2$s ip protocol tcp %3$scounter drop\n"
                          "  }\n"
                          "}\n"
                          "table netdev %1$s {\n"
                          "  chain egress {\n"
                          "    type filter hook egress device \"%4$s\" priority filter; "
                          "policy accept;\n"
                          "    ip daddr %2$s ip protocol tcp %3$scounter fwd to \"%5$s\"\n"
                          "  }\n"
                          "}\n",
                          kLossTable, kStackAddress.ToString(), chance, tap_name_, kBlackHole);
  }
  std::string path = absl::StrCat(ArtifactsDir(), "/", options_.name, ".nft");
  {
    std::ofstream out(path);
    out << rules;
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  std::vector<std::string> argv = {"nft", "-f", path};
  test::CommandResult r = netns_->Run(argv);
  std::remove(path.c_str());
  if (r.exit_code != 0) return CommandError(argv, r);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> InteropHarness::LossCounter(std::string_view family) {
  std::vector<std::string> argv = {"nft", "list", "table", std::string(family), kLossTable};
  test::CommandResult r = netns_->Run(argv);
  if (r.exit_code != 0) return CommandError(argv, r);
  // The table's one rule counts "counter packets N bytes M".
  size_t at = r.output.find("packets ");
  uint64_t n = 0;
  if (at == std::string::npos)
    return absl::InternalError(absl::StrCat("no counter in: ", r.output));
  std::string_view rest = std::string_view(r.output).substr(at + 8);
  if (!absl::SimpleAtoi(std::string(rest.substr(0, rest.find(' '))), &n)) {
    return absl::InternalError(absl::StrCat("unreadable counter in: ", r.output));
  }
  return n;
}

absl::StatusOr<std::pair<uint64_t, uint64_t>> InteropHarness::LossDrops() {
  auto to_kernel = LossCounter("ip");
  if (!to_kernel.ok()) return to_kernel.status();
  auto to_stack = LossCounter("netdev");
  if (!to_stack.ok()) return to_stack.status();
  return std::make_pair(*to_kernel, *to_stack);
}

std::string InteropHarness::CountersSummary() {
  StackCounters c = stack_->stack().CountersSnapshot();
  std::string drops;
  for (size_t i = 0; i < c.drops.size(); ++i) {
    if (c.drops[i] == 0) continue;
    absl::StrAppend(&drops, drops.empty() ? "" : ",",
                    std::string(DropReasonName(static_cast<DropReason>(i))), "=", c.drops[i]);
  }
  auto retransmits = [&](RetransmitKind k) { return c.tcp_retransmits[static_cast<size_t>(k)]; };
  return absl::StrFormat(
      "stack: frames rx=%u tx=%u, tcp segs rx=%u tx=%u, retransmits timeout=%u fast=%u, "
      "rto_timeouts=%u fast_recoveries=%u, resets rx=%u tx=%u, drops{%s}",
      c.link_frames_rx, c.link_frames_tx, c.tcp_segments_rx, c.tcp_segments_tx,
      retransmits(RetransmitKind::kTimeout), retransmits(RetransmitKind::kFast), c.tcp_rto_timeouts,
      c.tcp_fast_recoveries, c.tcp_resets_rx, c.tcp_resets_tx, drops);
}

}  // namespace tcpaas::interop
