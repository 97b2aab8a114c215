// --network=nat: the container image's default. Creates the TAP (--tap, default tcpaas0) in
// the current namespace, gives its kernel side the gateway address (--gateway, default
// 198.18.0.1, with the prefix of --address, default 198.18.0.2/24), turns on IPv4 forwarding
// and masquerades the stack's subnet out of the namespace with an nftables table of its own.
// Teardown deletes the table and restores the forwarding setting.
#ifndef TCPAAS_SERVER_NETWORK_NAT_NETWORK_H_
#define TCPAAS_SERVER_NETWORK_NAT_NETWORK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/network/network.h"

namespace tcpaas::server {

// The nftables rules for the stack's subnet `subnet` behind `device` (an `nft -f` script).
std::string NatRules(const std::string& table, const std::string& device, const Ipv4Cidr& subnet);
// "tcpaas_<device>" with characters nft does not take in names replaced by '_'.
std::string NatTableName(const std::string& device);

class NatNetwork final : public Network {
 public:
  static absl::StatusOr<std::unique_ptr<NatNetwork>> Create(const NetworkConfig& config);
  ~NatNetwork() override;

  std::unique_ptr<link::Device> TakeDevice() override { return std::move(device_); }
  ip::InterfaceConfig Interface() const override;
  std::vector<std::string> Describe() const override;
  absl::Status TearDown() override;

 private:
  explicit NatNetwork(const NetworkConfig& config);
  absl::Status SetUp();

  NetworkConfig config_;
  Ipv4Cidr stack_;
  Ipv4Address kernel_;
  std::string device_name_;
  std::string table_;
  std::string saved_forwarding_;  // "0" or "1" before we set it; empty if untouched
  bool rules_installed_ = false;
  std::unique_ptr<link::Device> device_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_NETWORK_NAT_NETWORK_H_
