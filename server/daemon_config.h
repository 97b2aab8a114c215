// tcpaasd's configuration: the raw flag values, and their validation into a DaemonConfig.
// Every error names the flag and says what a valid value looks like.
#ifndef TCPAAS_SERVER_DAEMON_CONFIG_H_
#define TCPAAS_SERVER_DAEMON_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/network/network.h"
#include "stack/base/time.h"
#include "stack/link/fault_spec.h"

namespace tcpaas::server {

// The flags as given (main.cc defines them with these defaults).
struct DaemonFlags {
  std::string listen = "127.0.0.1:50051";
  std::string metrics_listen = "127.0.0.1:9464";
  std::string network = "sandbox";
  std::string tap;
  std::string address;
  std::string gateway;
  int64_t mtu = 1500;
  std::string pcap;
  std::string faults;
  uint64_t fault_seed = 1;
  std::string sandbox_name = kDefaultSandboxName;
  int64_t max_connections = 4096;
  absl::Duration drain_timeout = absl::Seconds(10);
  std::string congestion_control = "cubic";
};

struct DaemonConfig {
  std::string listen;          // host:port of the gRPC server (port 0: any free port)
  std::string metrics_listen;  // host:port of /metrics; empty: no metrics endpoint
  NetworkConfig network;
  std::string pcap;  // capture file; empty: none
  link::FaultSpec faults;
  uint64_t fault_seed = 1;
  size_t max_connections = 4096;
  Duration drain_timeout = Duration::Seconds(10);
  std::string congestion_control = "cubic";
};

inline constexpr int64_t kMinMtu = 576;   // RFC 791: every host takes 576-byte datagrams
inline constexpr int64_t kMaxMtu = 9216;  // jumbo frames
inline constexpr int64_t kMaxConnectionsLimit = 1000000;

absl::StatusOr<DaemonConfig> ParseDaemonConfig(const DaemonFlags& flags);

// OK for "host:port" (host a name, an IPv4 address or a bracketed IPv6 address; port
// 0..65535). `flag` names the flag in the message.
absl::Status ValidateHostPort(absl::string_view value, absl::string_view flag);

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_DAEMON_CONFIG_H_
