// --network=tap: attaches to an existing TAP device (--tap) that the operator configured, with
// the stack's --address and optional --gateway. Nothing else is changed.
#ifndef TCPAAS_SERVER_NETWORK_TAP_NETWORK_H_
#define TCPAAS_SERVER_NETWORK_TAP_NETWORK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/network/network.h"

namespace tcpaas::server {

class TapNetwork final : public Network {
 public:
  static absl::StatusOr<std::unique_ptr<TapNetwork>> Create(const NetworkConfig& config);

  std::unique_ptr<link::Device> TakeDevice() override { return std::move(device_); }
  ip::InterfaceConfig Interface() const override;
  std::vector<std::string> Describe() const override;
  absl::Status TearDown() override { return absl::OkStatus(); }

 private:
  explicit TapNetwork(const NetworkConfig& config) : config_(config) {}

  NetworkConfig config_;
  std::unique_ptr<link::Device> device_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_NETWORK_TAP_NETWORK_H_
