#include "server/network/network.h"

#include "server/network/nat_network.h"
#include "server/network/privileges.h"
#include "server/network/sandbox_network.h"
#include "server/network/tap_network.h"

namespace tcpaas::server {

absl::string_view NetworkKindName(NetworkKind kind) {
  switch (kind) {
    case NetworkKind::kSandbox:
      return "sandbox";
    case NetworkKind::kTap:
      return "tap";
    case NetworkKind::kNat:
      return "nat";
  }
  return "?";
}

std::optional<NetworkKind> ParseNetworkKind(absl::string_view name) {
  if (name == "sandbox") return NetworkKind::kSandbox;
  if (name == "tap") return NetworkKind::kTap;
  if (name == "nat") return NetworkKind::kNat;
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<Network>> SetUpNetwork(const NetworkConfig& config) {
  const std::string mode(NetworkKindName(config.kind));
  // An existing TAP may belong to the user; the other modes create devices and rules.
  if (config.kind != NetworkKind::kTap) {
    if (absl::Status s = CheckPrivileges(mode, config.kind == NetworkKind::kSandbox); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = CheckTunDevice(); !s.ok()) return s;
  switch (config.kind) {
    case NetworkKind::kSandbox:
      return SandboxNetwork::Create(config);
    case NetworkKind::kTap:
      return TapNetwork::Create(config);
    case NetworkKind::kNat:
      return NatNetwork::Create(config);
  }
  return absl::InvalidArgumentError("unknown network mode");
}

}  // namespace tcpaas::server
