#include "server/daemon_config.h"

#include <functional>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace tcpaas::server {
namespace {

struct BadFlags {
  const char* name;
  std::function<void(DaemonFlags*)> set;
  const char* must_mention;  // the flag the message names
};

class BadFlagsTest : public testing::TestWithParam<BadFlags> {};

TEST_P(BadFlagsTest, IsRefusedWithAMessageNamingTheFlag) {
  DaemonFlags flags;
  GetParam().set(&flags);
  auto config = ParseDaemonConfig(flags);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(config.status().message(), GetParam().must_mention))
      << config.status();
}

INSTANTIATE_TEST_SUITE_P(
    Flags, BadFlagsTest,
    testing::Values(
        BadFlags{"listen_no_port", [](DaemonFlags* f) { f->listen = "127.0.0.1"; }, "--listen"},
        BadFlags{"listen_port_too_big", [](DaemonFlags* f) { f->listen = "127.0.0.1:70000"; },
                 "--listen"},
        BadFlags{"listen_bare_ipv6", [](DaemonFlags* f) { f->listen = "::1:50051"; }, "--listen"},
        BadFlags{"metrics_no_host", [](DaemonFlags* f) { f->metrics_listen = ":9464"; },
                 "--metrics_listen"},
        BadFlags{"unknown_network", [](DaemonFlags* f) { f->network = "bridge"; }, "--network"},
        BadFlags{"tap_without_device",
                 [](DaemonFlags* f) {
                   f->network = "tap";
                   f->address = "192.0.2.2/24";
                 },
                 "--tap"},
        BadFlags{"tap_without_address",
                 [](DaemonFlags* f) {
                   f->network = "tap";
                   f->tap = "tap0";
                 },
                 "--address"},
        BadFlags{"tap_name_too_long", [](DaemonFlags* f) { f->tap = "a-very-long-tap-name"; },
                 "--tap"},
        BadFlags{"address_not_cidr",
                 [](DaemonFlags* f) {
                   f->network = "nat";
                   f->address = "198.18.0.2";
                 },
                 "--address"},
        BadFlags{"address_is_network",
                 [](DaemonFlags* f) {
                   f->network = "nat";
                   f->address = "198.18.0.0/24";
                 },
                 "--address"},
        BadFlags{"gateway_off_subnet",
                 [](DaemonFlags* f) {
                   f->network = "nat";
                   f->address = "198.18.0.2/24";
                   f->gateway = "198.19.0.1";
                 },
                 "--gateway"},
        BadFlags{"gateway_not_ip",
                 [](DaemonFlags* f) {
                   f->network = "nat";
                   f->gateway = "gw";
                 },
                 "--gateway"},
        BadFlags{"sandbox_with_address", [](DaemonFlags* f) { f->address = "10.0.0.2/24"; },
                 "--address"},
        BadFlags{"sandbox_name_with_slash", [](DaemonFlags* f) { f->sandbox_name = "a/b"; },
                 "--sandbox_name"},
        BadFlags{"sandbox_name_empty", [](DaemonFlags* f) { f->sandbox_name = ""; },
                 "--sandbox_name"},
        BadFlags{"mtu_too_small", [](DaemonFlags* f) { f->mtu = 100; }, "--mtu"},
        BadFlags{"mtu_too_big", [](DaemonFlags* f) { f->mtu = 65536; }, "--mtu"},
        BadFlags{"faults_unknown_key", [](DaemonFlags* f) { f->faults = "explode=1"; }, "--faults"},
        BadFlags{"max_connections_zero", [](DaemonFlags* f) { f->max_connections = 0; },
                 "--max_connections"},
        BadFlags{"drain_timeout_negative",
                 [](DaemonFlags* f) { f->drain_timeout = absl::Seconds(-1); }, "--drain_timeout"},
        BadFlags{"drain_timeout_infinite",
                 [](DaemonFlags* f) { f->drain_timeout = absl::InfiniteDuration(); },
                 "--drain_timeout"},
        BadFlags{"congestion_control_unknown",
                 [](DaemonFlags* f) { f->congestion_control = "bbr9"; }, "--congestion_control"}),
    [](const testing::TestParamInfo<BadFlags>& info) { return std::string(info.param.name); });

TEST(DaemonConfigTest, DefaultsAreASandbox) {
  auto config = ParseDaemonConfig(DaemonFlags());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "127.0.0.1:50051");
  EXPECT_EQ(config->metrics_listen, "127.0.0.1:9464");
  EXPECT_EQ(config->network.kind, NetworkKind::kSandbox);
  EXPECT_EQ(config->network.sandbox_name, "tcpaas-sandbox");
  EXPECT_EQ(config->network.mtu, 1500u);
  EXPECT_TRUE(config->faults.IsPassThrough());
  EXPECT_EQ(config->drain_timeout, Duration::Seconds(10));
  EXPECT_EQ(config->congestion_control, "cubic");
}

TEST(DaemonConfigTest, TapModeTakesDeviceAddressAndGateway) {
  DaemonFlags flags;
  flags.network = "tap";
  flags.tap = "tap7";
  flags.address = "192.0.2.2/24";
  flags.gateway = "192.0.2.1";
  flags.listen = "[::1]:0";
  flags.metrics_listen = "";
  flags.faults = "drop=0.01,delay=5ms";
  flags.drain_timeout = absl::Milliseconds(1500);
  auto config = ParseDaemonConfig(flags);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->network.kind, NetworkKind::kTap);
  EXPECT_EQ(config->network.tap, "tap7");
  EXPECT_EQ(config->network.address->ToString(), "192.0.2.2/24");
  EXPECT_EQ(config->network.gateway->ToString(), "192.0.2.1");
  EXPECT_TRUE(config->metrics_listen.empty());
  EXPECT_DOUBLE_EQ(config->faults.drop, 0.01);
  EXPECT_EQ(config->drain_timeout, Duration::Millis(1500));
}

TEST(DaemonConfigTest, NatModeNeedsNoAddresses) {
  DaemonFlags flags;
  flags.network = "nat";
  auto config = ParseDaemonConfig(flags);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->network.address.has_value());  // NatNetwork picks 198.18.0.2/24
}

TEST(DaemonConfigTest, HostPortForms) {
  EXPECT_TRUE(ValidateHostPort("localhost:1", "x").ok());
  EXPECT_TRUE(ValidateHostPort("0.0.0.0:0", "x").ok());
  EXPECT_TRUE(ValidateHostPort("[::]:65535", "x").ok());
  EXPECT_FALSE(ValidateHostPort("", "x").ok());
  EXPECT_FALSE(ValidateHostPort("host:", "x").ok());
  EXPECT_FALSE(ValidateHostPort("host:port", "x").ok());
}

}  // namespace
}  // namespace tcpaas::server
