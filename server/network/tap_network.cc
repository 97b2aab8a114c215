#include "server/network/tap_network.h"

#include <net/if.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "stack/link/tap_device.h"

namespace tcpaas::server {

absl::StatusOr<std::unique_ptr<TapNetwork>> TapNetwork::Create(const NetworkConfig& config) {
  if (config.tap.empty() || !config.address.has_value()) {
    return absl::InvalidArgumentError("--network=tap needs --tap=NAME and --address=CIDR");
  }
  if (::if_nametoindex(config.tap.c_str()) == 0) {
    return absl::NotFoundError(absl::StrCat(
        "there is no device ", config.tap, ": create it first (ip tuntap add dev ", config.tap,
        " mode tap; ip link set ", config.tap, " up), or use --network=sandbox"));
  }
  std::unique_ptr<TapNetwork> network(new TapNetwork(config));
  link::TapOptions tap;
  tap.name = config.tap;
  tap.mtu = config.mtu;
  tap.bring_up = false;  // the operator's device: leave its state alone
  auto device = link::TapDevice::Create(tap);
  if (!device.ok()) {
    return absl::Status(
        device.status().code(),
        absl::StrCat("cannot attach to TAP ", config.tap, ": ", device.status().message(),
                     " (is it a TAP, not in use by another program, and "
                     "accessible to this user?)"));
  }
  network->device_ = *std::move(device);
  return network;
}

ip::InterfaceConfig TapNetwork::Interface() const {
  ip::InterfaceConfig interface;
  interface.link_layer = link::LinkLayer::kEthernet;
  interface.address = *config_.address;
  interface.gateway = config_.gateway;
  interface.mtu = config_.mtu;
  return interface;
}

std::vector<std::string> TapNetwork::Describe() const {
  return {absl::StrCat("network tap: device ", config_.tap, ", stack ", config_.address->ToString(),
                       config_.gateway ? absl::StrCat(", gateway ", config_.gateway->ToString())
                                       : std::string(", no gateway"),
                       ", mtu ", config_.mtu)};
}

}  // namespace tcpaas::server
