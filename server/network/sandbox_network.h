// --network=sandbox: a private network namespace holding the TAP, with the kernel side at
// 198.18.0.1/24 (loopback up) serving echo, discard, chargen and HTTP, and the stack at
// 198.18.0.2/24. The gRPC and metrics ports stay in tcpaasd's own namespace; nothing outside
// the sandbox namespace is touched.
//
// The namespace is named (/var/run/netns/<name>) so that people and tests can look inside
// (`ip netns exec <name> ...`). A lock file held for tcpaasd's life tells a leftover of a
// crashed run (removed at start) from a namespace another live tcpaasd uses (an error).
#ifndef TCPAAS_SERVER_NETWORK_SANDBOX_NETWORK_H_
#define TCPAAS_SERVER_NETWORK_SANDBOX_NETWORK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/network/network.h"
#include "server/sandbox/sandbox_services.h"

namespace tcpaas::server {

// OK for a usable namespace name: 1..64 of [A-Za-z0-9_.-], not starting with '.' or '-'.
absl::Status ValidateNamespaceName(absl::string_view name);

class SandboxNetwork final : public Network {
 public:
  static absl::StatusOr<std::unique_ptr<SandboxNetwork>> Create(const NetworkConfig& config);
  ~SandboxNetwork() override;

  std::unique_ptr<link::Device> TakeDevice() override { return std::move(device_); }
  ip::InterfaceConfig Interface() const override;
  std::vector<std::string> Describe() const override;
  absl::Status TearDown() override;

 private:
  explicit SandboxNetwork(const NetworkConfig& config) : config_(config) {}
  absl::Status SetUp();

  NetworkConfig config_;
  int lock_fd_ = -1;
  bool created_ = false;  // the namespace exists and is ours to delete
  std::string device_name_;
  std::unique_ptr<link::Device> device_;
  std::unique_ptr<SandboxServices> services_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_NETWORK_SANDBOX_NETWORK_H_
