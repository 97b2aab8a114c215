#include "server/network/nat_network.h"

#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "server/network/command.h"
#include "stack/link/tap_device.h"

namespace tcpaas::server {
namespace {

constexpr char kForwardingPath[] = "/proc/sys/net/ipv4/ip_forward";
constexpr char kIpHint[] = "install iproute2";
constexpr char kNftHint[] = "install nftables";

std::string ReadSetting(const char* path) {
  std::ifstream in(path);
  std::string value;
  std::getline(in, value);
  return std::string(absl::StripAsciiWhitespace(value));
}

absl::Status WriteSetting(const char* path, const std::string& value) {
  std::ofstream out(path);
  out << value << "\n";
  out.close();
  if (!out) return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

std::string NatTableName(const std::string& device) {
  std::string name = absl::StrCat("tcpaas_", device);
  for (char& c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  return name;
}

std::string NatRules(const std::string& table, const std::string& device, const Ipv4Cidr& subnet) {
  const std::string net = absl::StrCat(subnet.Network().ToString(), "/", subnet.prefix_len);
  return absl::StrFormat(
      "table ip %1$s {\n"
      "  chain postrouting {\n"
      "    type nat hook postrouting priority srcnat; policy accept;\n"
      "    ip saddr %2$s oifname != \"%3$s\" masquerade\n"
      "  }\n"
      "  chain forward {\n"
      "    type filter hook forward priority filter; policy accept;\n"
      "    iifname \"%3$s\" accept\n"
      "    oifname \"%3$s\" ct state established,related accept\n"
      "  }\n"
      "}\n",
      table, net, device);
}

NatNetwork::NatNetwork(const NetworkConfig& config)
    : config_(config),
      stack_(config.address.value_or(Ipv4Cidr{Ipv4Address::FromOctets(198, 18, 0, 2), 24})),
      kernel_(config.gateway.value_or(Ipv4Address::FromOctets(198, 18, 0, 1))) {}

absl::StatusOr<std::unique_ptr<NatNetwork>> NatNetwork::Create(const NetworkConfig& config) {
  std::unique_ptr<NatNetwork> network(new NatNetwork(config));
  if (!network->stack_.Contains(network->kernel_) || network->stack_.address == network->kernel_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--gateway ", network->kernel_.ToString(), " must be another address inside --address ",
        network->stack_.ToString(), " (it becomes the kernel side of the TAP)"));
  }
  if (absl::Status s = network->SetUp(); !s.ok()) {
    network->TearDown().IgnoreError();
    return s;
  }
  return network;
}

absl::Status NatNetwork::SetUp() {
  link::TapOptions tap;
  tap.name = config_.tap.empty() ? kDefaultTapName : config_.tap;
  tap.mtu = config_.mtu;
  tap.bring_up = true;
  auto device = link::TapDevice::Create(tap);
  if (!device.ok()) return device.status();
  device_name_ = (*device)->name();
  device_ = *std::move(device);

  const std::string kernel_cidr = absl::StrCat(kernel_.ToString(), "/", stack_.prefix_len);
  if (absl::Status s = RunChecked({"ip", "addr", "add", kernel_cidr, "dev", device_name_}, kIpHint);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = RunChecked({"ip", "link", "set", device_name_, "up"}, kIpHint); !s.ok()) {
    return s;
  }

  saved_forwarding_ = ReadSetting(kForwardingPath);
  if (saved_forwarding_ != "1") {
    if (absl::Status s = WriteSetting(kForwardingPath, "1"); !s.ok()) return s;
  } else {
    saved_forwarding_.clear();  // already on: nothing to restore
  }

  table_ = NatTableName(device_name_);
  // A table of a run that crashed would stay: replace it.
  RunProgram({"nft", "delete", "table", "ip", table_});
  if (absl::Status s =
          RunChecked({"nft", "-f", "-"}, kNftHint, NatRules(table_, device_name_, stack_));
      !s.ok()) {
    return s;
  }
  rules_installed_ = true;
  return absl::OkStatus();
}

NatNetwork::~NatNetwork() { TearDown().IgnoreError(); }

ip::InterfaceConfig NatNetwork::Interface() const {
  ip::InterfaceConfig interface;
  interface.link_layer = link::LinkLayer::kEthernet;
  interface.address = stack_;
  interface.gateway = kernel_;
  interface.mtu = config_.mtu;
  return interface;
}

std::vector<std::string> NatNetwork::Describe() const {
  return {absl::StrCat("network nat: device ", device_name_, ", stack ", stack_.ToString(),
                       ", kernel side (gateway) ", kernel_.ToString(), "/", stack_.prefix_len,
                       ", masquerading via nftables table ip ", table_, ", mtu ", config_.mtu)};
}

absl::Status NatNetwork::TearDown() {
  absl::Status result;
  if (rules_installed_) {
    rules_installed_ = false;
    if (absl::Status s = RunChecked({"nft", "delete", "table", "ip", table_}, kNftHint); !s.ok()) {
      result = s;
    }
  }
  if (!saved_forwarding_.empty()) {
    if (absl::Status s = WriteSetting(kForwardingPath, saved_forwarding_); !s.ok() && result.ok()) {
      result = s;
    }
    saved_forwarding_.clear();
  }
  device_.reset();  // if the stack never took it
  return result;
}

}  // namespace tcpaas::server
