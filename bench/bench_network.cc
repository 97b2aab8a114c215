#include "bench/bench_network.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/interrupt_cleanup.h"
#include "stack/host/host.h"
#include "stack/link/pcap_file.h"
#include "stack/link/pcap_writer.h"
#include "stack/link/tap_device.h"
#include "tests/support/command.h"

namespace tcpaas::bench {
namespace {

constexpr char kBridge[] = "br0";
constexpr char kBridgeMac[] = "02:00:5e:12:00:01";
constexpr char kTap[] = "tap0";
constexpr char kVethBridgeEnd[] = "vsend";  // the bridge port, in the receiver's namespace
constexpr char kVethSenderEnd[] = "eth0";   // in the Linux sender's namespace
// Our stack's MAC on the TAP: locally administered, unicast.
constexpr MacAddress kStackMac({0x02, 0x00, 0x5e, 0x12, 0x00, 0x02});

using Commands = std::vector<std::vector<std::string>>;

absl::Status ExecAll(test::TestNetns& ns, const Commands& commands) {
  for (const std::vector<std::string>& argv : commands) {
    if (absl::Status s = ns.Exec(argv); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string Cidr(Ipv4Address address) {
  return absl::StrCat(address.ToString(), "/", kPrefixLength);
}

absl::StatusOr<std::unique_ptr<test::TestNetns>> MakeNamespace() {
  auto ns = test::TestNetns::Create("bench");
  if (ns.ok()) RegisterNamespace((*ns)->name());
  return ns;
}

void DeleteNamespace(std::unique_ptr<test::TestNetns>& ns) {
  if (ns == nullptr) return;
  const std::string name = ns->name();
  ns.reset();  // ip netns del
  UnregisterNamespace(name);
}

}  // namespace

absl::StatusOr<std::unique_ptr<BenchNetwork>> BenchNetwork::Create(
    const BenchNetworkOptions& options) {
  std::unique_ptr<BenchNetwork> network(new BenchNetwork(options));
  // On failure the partly built network is destroyed here, which undoes what was done.
  if (absl::Status s = network->Init(); !s.ok()) return s;
  return network;
}

absl::Status BenchNetwork::Init() {
  if (absl::Status s = CreateNamespaces(); !s.ok()) return s;
  if (absl::Status s = WireBridge(); !s.ok()) return s;
  if (absl::Status s = StartStack(); !s.ok()) return s;
  if (absl::Status s = AddDelay(); !s.ok()) return s;
  if (absl::Status s = ApplyNft(ClearLossRuleset()); !s.ok()) return s;
  auto listener = interop::KernelSocket::Listen(
      receiver_netns(), Endpoint{kReceiverAddress, kReceiverPort}, 4, options_.stall_timeout);
  if (!listener.ok()) return listener.status();
  listener_ = std::move(*listener);
  return absl::OkStatus();
}

BenchNetwork::~BenchNetwork() {
  // The event handler (tcp_) must outlive the stack thread: stopping aborts connections,
  // which delivers close events.
  if (thread_ != nullptr) thread_->Stop();
  thread_.reset();  // closes the TAP
  tcp_.reset();
  listener_.Close();
  DeleteNamespace(sender_ns_);
  DeleteNamespace(receiver_ns_);
}

absl::Status BenchNetwork::CreateNamespaces() {
  auto receiver = MakeNamespace();
  if (!receiver.ok()) return receiver.status();
  receiver_ns_ = std::move(*receiver);
  auto sender = MakeNamespace();
  if (!sender.ok()) return sender.status();
  sender_ns_ = std::move(*sender);
  return absl::OkStatus();
}

absl::Status BenchNetwork::WireBridge() {
  const std::string mtu = absl::StrCat(options_.mtu);
  if (absl::Status s =
          ExecAll(*receiver_ns_,
                  {
                      {"ip", "link", "add", kBridge, "type", "bridge"},
                      // A fixed MAC: a bridge otherwise takes the lowest of its
                      // ports' and changes it as ports come and go.
                      {"ip", "link", "set", kBridge, "address", kBridgeMac},
                      {"ip", "link", "set", kBridge, "mtu", mtu},
                      {"ip", "addr", "add", Cidr(kReceiverAddress), "dev", kBridge},
                      {"ip", "link", "set", kBridge, "up"},
                      {"ip", "link", "add", kVethBridgeEnd, "mtu", mtu, "type", "veth", "peer",
                       "name", kVethSenderEnd, "mtu", mtu, "netns", sender_netns()},
                      {"ip", "link", "set", kVethBridgeEnd, "master", kBridge},
                      {"ip", "link", "set", kVethBridgeEnd, "up"},
                  });
      !s.ok()) {
    return s;
  }
  // gso_max_segs 1: the Linux sender builds one skb per segment, so the loss rules (which see
  // skbs, not frames) drop single segments as they do for our stack, never 64 KiB bursts.
  return ExecAll(*sender_ns_,
                 {
                     {"ip", "link", "set", kVethSenderEnd, "gso_max_segs", "1"},
                     {"ip", "addr", "add", Cidr(kLinuxSenderAddress), "dev", kVethSenderEnd},
                     {"ip", "link", "set", kVethSenderEnd, "up"},
                 });
}

absl::Status BenchNetwork::StartStack() {
  link::TapOptions tap_options;
  tap_options.name = kTap;
  tap_options.mtu = options_.mtu;
  tap_options.netns = receiver_netns();
  tap_options.mac = kStackMac;
  tap_options.bring_up = true;
  auto tap = link::TapDevice::Create(tap_options);
  if (!tap.ok()) return tap.status();
  if (absl::Status s = ExecAll(*receiver_ns_,
                               {
                                   {"ip", "link", "set", kTap, "master", kBridge},
                                   {"ip", "link", "set", kTap, "up"},
                               });
      !s.ok()) {
    return s;
  }

  std::unique_ptr<link::Device> device = std::move(*tap);
  if (!options_.pcap_path.empty()) {
    link::PcapFile::Options pcap_options;
    pcap_options.link_type = link::PcapLinkType(device->link_layer());
    pcap_options.snaplen = 128;  // headers only: the payload is checked by hash
    auto file = link::PcapFile::Open(options_.pcap_path, pcap_options);
    if (!file.ok()) return file.status();
    device = std::make_unique<link::PcapWriter>(std::move(device), std::move(*file));
  }

  HostConfig config;
  config.interface.link_layer = link::LinkLayer::kEthernet;
  config.interface.mac = kStackMac;
  config.interface.address = Ipv4Cidr{kStackAddress, kPrefixLength};
  config.interface.mtu = options_.mtu;
  config.tcp = options_.tcp;
  runtime::StackThreadOptions thread_options;
  thread_options.thread_name = "bench-stack";
  thread_ = std::make_unique<runtime::StackThread>(config, std::move(device), thread_options);
  tcp_ = std::make_unique<interop::BlockingTcp>(thread_.get());
  return thread_->Start();
}

absl::Status BenchNetwork::AddDelay() {
  if (options_.added_rtt <= Duration::Zero()) {
    delay_note_ = "none (asked for no added delay)";
    return absl::OkStatus();
  }
  if (!test::HaveProgram("tc")) {
    delay_note_ = "none: `tc` (iproute2) is not installed";
    return absl::OkStatus();
  }
  // The whole RTT on the bridge's egress: it delays the receiver's ACKs to either sender,
  // which adds the same RTT to both paths.
  const std::string delay = absl::StrCat(options_.added_rtt.micros(), "us");
  const test::CommandResult r = receiver_ns_->Run(
      {"tc", "qdisc", "add", "dev", kBridge, "root", "netem", "delay", delay, "limit", "100000"});
  if (r.exit_code != 0) {
    const std::vector<absl::string_view> lines =
        absl::StrSplit(absl::StripAsciiWhitespace(r.output), '\n');
    delay_note_ = absl::StrCat("none: tc netem is not available on this kernel (",
                               lines.empty() ? "" : lines.front(), ")");
    return absl::OkStatus();
  }
  delay_note_ = absl::StrCat("netem delay ", options_.added_rtt.ToString(),
                             " on br0's egress (the receiver's ACKs to either sender)");
  return absl::OkStatus();
}

absl::StatusOr<interop::KernelSocket> BenchNetwork::AcceptAtReceiver() {
  return listener_.Accept();
}

absl::StatusOr<interop::KernelSocket> BenchNetwork::ConnectLinuxSender() {
  return interop::KernelSocket::Connect(sender_netns(), Endpoint{kReceiverAddress, kReceiverPort},
                                        options_.stall_timeout);
}

std::string BenchNetwork::LinuxDefaultCongestionControl() {
  // /proc/sys/net shows the namespace of the process reading it.
  const test::CommandResult r =
      sender_ns_->Run({"cat", "/proc/sys/net/ipv4/tcp_congestion_control"});
  if (r.exit_code != 0) return "unknown";
  return std::string(absl::StripAsciiWhitespace(r.output));
}

absl::Status BenchNetwork::SetLoss(int per_mille) {
  if (per_mille < 0 || per_mille > kMaxLossPerMille) {
    return absl::InvalidArgumentError(absl::StrCat("loss of ", per_mille, " per mille"));
  }
  return ApplyNft(LossRuleset(LossPath{kReceiverAddress, kReceiverPort}, per_mille));
}

absl::Status BenchNetwork::ClearLoss() { return ApplyNft(ClearLossRuleset()); }

absl::StatusOr<LossCounters> BenchNetwork::ReadLossCounters() {
  const std::vector<std::string> argv = {"nft", "list", "table", "bridge", kLossTable};
  const test::CommandResult r = receiver_ns_->Run(argv);
  if (r.exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("`", test::CommandLine(argv), "` exited ", r.exit_code, ": ", r.output));
  }
  return ParseLossCounters(r.output);
}

absl::Status BenchNetwork::ApplyNft(const std::string& script) {
  // `nft -f` wants a file: RunCommand gives children /dev/null as stdin.
  char path[] = "/tmp/tcpaas-bench-nft-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return absl::InternalError(absl::StrCat("mkstemp: ", std::strerror(errno)));
  const bool written =
      write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
  close(fd);
  if (!written) {
    unlink(path);
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  const absl::Status status = receiver_ns_->Exec({"nft", "-f", path});
  unlink(path);
  return status;
}

}  // namespace tcpaas::bench
