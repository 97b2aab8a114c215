// The network modes of tcpaasd (DESIGN.md "Network modes"): where the stack's device comes
// from and what is set up around it.
//
//   sandbox  a private network namespace holding the TAP, the kernel side 198.18.0.1/24 with
//            built-in services, the stack 198.18.0.2/24; nothing changes outside it
//   tap      an existing TAP device the operator configured; nothing is changed
//   nat      a TAP in the current namespace, the kernel side addressed, IPv4 forwarding on and
//            nftables masquerading the stack's subnet out of the namespace
//
// A Network undoes its setup (namespace, nftables table, forwarding) when torn down or
// destroyed. The device is handed to the stack; it may outlive the Network object's setup
// only in the sense that the kernel keeps the interface while the device fd is open.
#ifndef TCPAAS_SERVER_NETWORK_NETWORK_H_
#define TCPAAS_SERVER_NETWORK_NETWORK_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stack/ip/ip_layer.h"
#include "stack/link/device.h"
#include "stack/wire/addr.h"

namespace tcpaas::server {

enum class NetworkKind { kSandbox, kTap, kNat };
absl::string_view NetworkKindName(NetworkKind kind);
std::optional<NetworkKind> ParseNetworkKind(absl::string_view name);

// The sandbox's fixed address plan (RFC 2544 benchmarking range).
inline constexpr Ipv4Cidr kSandboxKernelCidr{Ipv4Address::FromOctets(198, 18, 0, 1), 24};
inline constexpr Ipv4Cidr kSandboxStackCidr{Ipv4Address::FromOctets(198, 18, 0, 2), 24};
inline constexpr char kDefaultTapName[] = "tcpaas0";
inline constexpr char kDefaultSandboxName[] = "tcpaas-sandbox";

struct NetworkConfig {
  NetworkKind kind = NetworkKind::kSandbox;
  std::string sandbox_name = kDefaultSandboxName;  // sandbox: the namespace
  std::string tap;                                 // tap: required; nat: default tcpaas0
  std::optional<Ipv4Cidr> address;                 // the stack's (tap: required)
  std::optional<Ipv4Address> gateway;              // tap: optional; nat: the kernel side
  size_t mtu = 1500;
  bool sandbox_services = true;  // sandbox: echo, discard, chargen, HTTP
};

class Network {
 public:
  virtual ~Network() = default;

  // The stack's device; the first call hands it over, later calls return null.
  virtual std::unique_ptr<link::Device> TakeDevice() = 0;
  // The stack's interface: link layer, address, gateway, MTU (MAC zero: the device's).
  virtual ip::InterfaceConfig Interface() const = 0;
  // One line per endpoint for the startup banner.
  virtual std::vector<std::string> Describe() const = 0;
  // Undoes the setup; errors say what was left behind. Idempotent.
  virtual absl::Status TearDown() = 0;
};

// Checks privileges and /dev/net/tun, then sets the mode up.
absl::StatusOr<std::unique_ptr<Network>> SetUpNetwork(const NetworkConfig& config);

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_NETWORK_NETWORK_H_
