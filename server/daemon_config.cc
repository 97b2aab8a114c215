#include "server/daemon_config.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/network/sandbox_network.h"
#include "stack/tcp/congestion/congestion_control.h"

namespace tcpaas::server {

absl::Status ValidateHostPort(absl::string_view value, absl::string_view flag) {
  const size_t colon = value.rfind(':');
  absl::string_view host = colon == absl::string_view::npos ? "" : value.substr(0, colon);
  absl::string_view port = colon == absl::string_view::npos ? "" : value.substr(colon + 1);
  uint32_t number = 0;
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  const bool bare_ipv6 = !bracketed && host.find(':') != absl::string_view::npos;
  if (host.empty() || bare_ipv6 || port.empty() || !absl::SimpleAtoi(port, &number) ||
      number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=\"", value,
                     "\": expected host:port, e.g. 127.0.0.1:50051 or [::1]:50051 "
                     "(port 0 picks a free port)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DaemonConfig> ParseDaemonConfig(const DaemonFlags& flags) {
  DaemonConfig config;
  if (absl::Status s = ValidateHostPort(flags.listen, "listen"); !s.ok()) return s;
  config.listen = flags.listen;
  if (!flags.metrics_listen.empty()) {
    if (absl::Status s = ValidateHostPort(flags.metrics_listen, "metrics_listen"); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(s.message(), "; an empty value turns the metrics endpoint off"));
    }
  }
  config.metrics_listen = flags.metrics_listen;

  std::optional<NetworkKind> kind = ParseNetworkKind(flags.network);
  if (!kind) {
    return absl::InvalidArgumentError(
        absl::StrCat("--network=\"", flags.network, "\": use sandbox, tap or nat"));
  }
  NetworkConfig& network = config.network;
  network.kind = *kind;
  network.tap = flags.tap;
  if (flags.tap.size() > 15) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tap=\"", flags.tap, "\": interface names have at most 15 characters"));
  }
  if (!flags.address.empty()) {
    std::optional<Ipv4Cidr> address = Ipv4Cidr::Parse(flags.address);
    if (!address || address->prefix_len < 1 || address->prefix_len > 30 ||
        address->address == address->Network() || address->address == address->BroadcastAddress()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--address=\"", flags.address,
          "\": expected the stack's IPv4 address with a prefix length of 1 to 30, e.g. "
          "198.18.0.2/24"));
    }
    network.address = *address;
  }
  if (!flags.gateway.empty()) {
    std::optional<Ipv4Address> gateway = Ipv4Address::Parse(flags.gateway);
    if (!gateway) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--gateway=\"", flags.gateway, "\": expected an IPv4 address, e.g. 198.18.0.1"));
    }
    if (network.address &&
        (!network.address->Contains(*gateway) || network.address->address == *gateway)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--gateway=", flags.gateway,
                       " must be another address inside --address=", flags.address));
    }
    network.gateway = *gateway;
  }
  switch (network.kind) {
    case NetworkKind::kSandbox:
      if (network.address || network.gateway) {
        return absl::InvalidArgumentError(
            "--address and --gateway are for --network=tap and nat; the sandbox's addresses "
            "are fixed (stack 198.18.0.2/24, kernel side 198.18.0.1)");
      }
      if (absl::Status s = ValidateNamespaceName(flags.sandbox_name); !s.ok()) return s;
      break;
    case NetworkKind::kTap:
      if (flags.tap.empty()) {
        return absl::InvalidArgumentError(
            "--network=tap needs --tap=NAME, an existing TAP device (ip tuntap add dev NAME "
            "mode tap), and --address=CIDR for the stack");
      }
      if (!network.address) {
        return absl::InvalidArgumentError(
            "--network=tap needs --address=CIDR, the stack's address on the TAP's subnet, "
            "e.g. --address=192.0.2.2/24");
      }
      break;
    case NetworkKind::kNat:
      break;
  }
  network.sandbox_name = flags.sandbox_name;

  if (flags.mtu < kMinMtu || flags.mtu > kMaxMtu) {
    return absl::InvalidArgumentError(
        absl::StrCat("--mtu=", flags.mtu, ": use ", kMinMtu, " to ", kMaxMtu, " (default 1500)"));
  }
  network.mtu = static_cast<size_t>(flags.mtu);

  config.pcap = flags.pcap;
  auto faults = link::FaultSpec::Parse(flags.faults);
  if (!faults.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--faults=\"", flags.faults, "\": ", faults.status().message(),
                     " (e.g. --faults=drop=0.01,delay=5ms,rate=100mbit)"));
  }
  config.faults = *faults;
  config.fault_seed = flags.fault_seed;

  if (flags.max_connections < 1 || flags.max_connections > kMaxConnectionsLimit) {
    return absl::InvalidArgumentError(absl::StrCat("--max_connections=", flags.max_connections,
                                                   ": use 1 to ", kMaxConnectionsLimit));
  }
  config.max_connections = static_cast<size_t>(flags.max_connections);

  if (flags.drain_timeout < absl::ZeroDuration() ||
      flags.drain_timeout == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--drain_timeout=", absl::FormatDuration(flags.drain_timeout),
                     ": use a finite duration of zero or more, e.g. 10s"));
  }
  config.drain_timeout = Duration::Nanos(absl::ToInt64Nanoseconds(flags.drain_timeout));

  if (!tcp::MakeCongestionControl(flags.congestion_control, 1460, 10).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--congestion_control=\"", flags.congestion_control, "\": unknown; use cubic or newreno"));
  }
  config.congestion_control = flags.congestion_control;
  return config;
}

}  // namespace tcpaas::server
