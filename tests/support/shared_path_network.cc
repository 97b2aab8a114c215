#include "tests/support/shared_path_network.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/command.h"

namespace tcpaas::test {
namespace {

constexpr char kBridge[] = "br0";
constexpr char kBridgeMac[] = "02:00:5e:12:00:01";
constexpr char kTap[] = "tap0";
constexpr char kVethBridgeEnd[] = "vsend";  // the bridge port, in the receiver's namespace
constexpr char kVethSenderEnd[] = "eth0";   // in the Linux sender's namespace
// Our stack's MAC on the TAP: locally administered, unicast.
constexpr MacAddress kStackMac({0x02, 0x00, 0x5e, 0x12, 0x00, 0x02});

std::string Cidr(Ipv4Address address) {
  return absl::StrCat(address.ToString(), "/", SharedPathNetwork::kPrefixLength);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SharedPathNetwork>> SharedPathNetwork::Create(
    SharedPathOptions options) {
  std::unique_ptr<SharedPathNetwork> network(new SharedPathNetwork(std::move(options)));
  // On failure the partly built network is destroyed here, which undoes what was done.
  if (absl::Status s = network->Init(); !s.ok()) return s;
  return network;
}

absl::Status SharedPathNetwork::Init() {
  if (absl::Status s = CreateNamespaces(); !s.ok()) return s;
  if (absl::Status s = WireBridge(); !s.ok()) return s;
  if (absl::Status s = StartStack(); !s.ok()) return s;
  if (absl::Status s = AddDelay(); !s.ok()) return s;
  if (absl::Status s = ApplyNft(ClearLossRuleset()); !s.ok()) return s;
  auto listener = KernelSocket::Listen(receiver_netns(), Endpoint{kReceiverAddress, kReceiverPort},
                                       4, options_.stall_timeout);
  if (!listener.ok()) return listener.status();
  listener_ = std::move(*listener);
  return absl::OkStatus();
}

SharedPathNetwork::~SharedPathNetwork() {
  stack_.reset();  // stops the stack, closes the TAP
  listener_.Close();
  DeleteNamespace(sender_ns_);
  DeleteNamespace(receiver_ns_);
}

absl::StatusOr<std::unique_ptr<TestNetns>> SharedPathNetwork::MakeNamespace() {
  auto ns = TestNetns::Create(options_.netns_tag);
  if (ns.ok() && options_.on_netns_created) options_.on_netns_created((*ns)->name());
  return ns;
}

void SharedPathNetwork::DeleteNamespace(std::unique_ptr<TestNetns>& ns) {
  if (ns == nullptr) return;
  if (options_.on_netns_deleting) options_.on_netns_deleting(ns->name());
  ns.reset();  // ip netns del
}

absl::Status SharedPathNetwork::CreateNamespaces() {
  auto receiver = MakeNamespace();
  if (!receiver.ok()) return receiver.status();
  receiver_ns_ = std::move(*receiver);
  auto sender = MakeNamespace();
  if (!sender.ok()) return sender.status();
  sender_ns_ = std::move(*sender);
  return absl::OkStatus();
}

absl::Status SharedPathNetwork::WireBridge() {
  const std::string mtu = absl::StrCat(options_.mtu);
  if (absl::Status s = receiver_ns_->ExecAll({
          {"ip", "link", "add", kBridge, "type", "bridge"},
          // A fixed MAC: a bridge otherwise takes the lowest of its
          // ports' and changes it as ports come and go.
          {"ip", "link", "set", kBridge, "address", kBridgeMac},
          {"ip", "link", "set", kBridge, "mtu", mtu},
          {"ip", "addr", "add", Cidr(kReceiverAddress), "dev", kBridge},
          {"ip", "link", "set", kBridge, "up"},
          {"ip", "link", "add", kVethBridgeEnd, "mtu", mtu, "type", "veth", "peer", "name",
           kVethSenderEnd, "mtu", mtu, "netns", sender_netns()},
          {"ip", "link", "set", kVethBridgeEnd, "master", kBridge},
          {"ip", "link", "set", kVethBridgeEnd, "up"},
      });
      !s.ok()) {
    return s;
  }
  // gso_max_segs 1: the Linux sender builds one skb per segment, so the loss rules (which see
  // skbs, not frames) drop single segments as they do for our stack, never 64 KiB bursts.
  return sender_ns_->ExecAll({
      {"ip", "link", "set", kVethSenderEnd, "gso_max_segs", "1"},
      {"ip", "addr", "add", Cidr(kLinuxSenderAddress), "dev", kVethSenderEnd},
      {"ip", "link", "set", kVethSenderEnd, "up"},
  });
}

absl::Status SharedPathNetwork::StartStack() {
  TapStackOptions stack_options;
  stack_options.netns = receiver_netns();
  stack_options.tap_name = kTap;
  stack_options.mac = kStackMac;
  stack_options.address = Ipv4Cidr{kStackAddress, kPrefixLength};
  stack_options.mtu = options_.mtu;
  stack_options.tcp = options_.tcp;
  stack_options.thread_name = absl::StrCat(options_.netns_tag, "-stack");
  stack_options.pcap_path = options_.pcap_path;
  stack_options.pcap_snaplen = 128;  // headers only: the payload is checked by hash
  auto stack = TapStack::Start(stack_options);
  if (!stack.ok()) return stack.status();
  stack_ = std::move(*stack);
  return receiver_ns_->ExecAll({
      {"ip", "link", "set", kTap, "master", kBridge},
      {"ip", "link", "set", kTap, "up"},
  });
}

absl::Status SharedPathNetwork::AddDelay() {
  if (options_.added_rtt <= Duration::Zero()) {
    delay_note_ = "none (asked for no added delay)";
    return absl::OkStatus();
  }
  if (!HaveProgram("tc")) {
    delay_note_ = "none: `tc` (iproute2) is not installed";
    return absl::OkStatus();
  }
  // The whole RTT on the bridge's egress: it delays the receiver's ACKs to either sender,
  // which adds the same RTT to both paths.
  const std::string delay = absl::StrCat(options_.added_rtt.micros(), "us");
  const CommandResult r = receiver_ns_->Run(
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

absl::StatusOr<KernelSocket> SharedPathNetwork::AcceptAtReceiver() { return listener_.Accept(); }

absl::StatusOr<KernelSocket> SharedPathNetwork::ConnectLinuxSender() {
  return KernelSocket::Connect(sender_netns(), Endpoint{kReceiverAddress, kReceiverPort},
                               options_.stall_timeout);
}

std::string SharedPathNetwork::LinuxDefaultCongestionControl() {
  // /proc/sys/net shows the namespace of the process reading it.
  const CommandResult r = sender_ns_->Run({"cat", "/proc/sys/net/ipv4/tcp_congestion_control"});
  if (r.exit_code != 0) return "unknown";
  return std::string(absl::StripAsciiWhitespace(r.output));
}

absl::Status SharedPathNetwork::SetLoss(int per_mille) {
  if (per_mille < 0 || per_mille > kMaxLossPerMille) {
    return absl::InvalidArgumentError(absl::StrCat("loss of ", per_mille, " per mille"));
  }
  return ApplyNft(LossRuleset(LossPath{kReceiverAddress, kReceiverPort}, per_mille));
}

absl::Status SharedPathNetwork::ClearLoss() { return ApplyNft(ClearLossRuleset()); }

absl::StatusOr<LossCounters> SharedPathNetwork::ReadLossCounters() {
  const std::vector<std::string> argv = {"nft", "list", "table", "bridge", kLossTable};
  const CommandResult r = receiver_ns_->Run(argv);
  if (r.exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("`", CommandLine(argv), "` exited ", r.exit_code, ": ", r.output));
  }
  return ParseLossCounters(r.output);
}

absl::Status SharedPathNetwork::ApplyNft(const std::string& script) {
  // `nft -f` wants a file: RunCommand gives children /dev/null as stdin.
  char path[] = "/tmp/tcpaas-path-nft-XXXXXX";
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

}  // namespace tcpaas::test
