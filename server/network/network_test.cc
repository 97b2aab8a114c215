#include "server/network/network.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/network/command.h"
#include "server/network/nat_network.h"
#include "server/network/sandbox_network.h"

namespace tcpaas::server {
namespace {

TEST(NetworkTest, ModeNamesRoundTrip) {
  for (NetworkKind kind : {NetworkKind::kSandbox, NetworkKind::kTap, NetworkKind::kNat}) {
    EXPECT_EQ(ParseNetworkKind(NetworkKindName(kind)), kind);
  }
  EXPECT_FALSE(ParseNetworkKind("tun").has_value());
}

TEST(NetworkTest, NamespaceNames) {
  EXPECT_TRUE(ValidateNamespaceName("tcpaas-sandbox").ok());
  EXPECT_TRUE(ValidateNamespaceName("t.1_x-Y").ok());
  EXPECT_FALSE(ValidateNamespaceName("").ok());
  EXPECT_FALSE(ValidateNamespaceName("..").ok());
  EXPECT_FALSE(ValidateNamespaceName("-x").ok());
  EXPECT_FALSE(ValidateNamespaceName("a/b").ok());
  EXPECT_FALSE(ValidateNamespaceName("a b").ok());
  EXPECT_FALSE(ValidateNamespaceName(std::string(65, 'a')).ok());
}

TEST(NetworkTest, NatRulesMasqueradeOnlyTheStackSubnetLeavingOtherDevices) {
  EXPECT_EQ(NatTableName("tcpaas0"), "tcpaas_tcpaas0");
  EXPECT_EQ(NatTableName("tap-1.x"), "tcpaas_tap_1_x");
  const std::string rules =
      NatRules("tcpaas_tap0", "tap0", Ipv4Cidr{Ipv4Address::FromOctets(198, 18, 0, 2), 24});
  EXPECT_TRUE(absl::StrContains(rules, "table ip tcpaas_tap0 {")) << rules;
  EXPECT_TRUE(absl::StrContains(rules, "ip saddr 198.18.0.0/24 oifname != \"tap0\" masquerade"))
      << rules;
  EXPECT_TRUE(absl::StrContains(rules, "type nat hook postrouting")) << rules;
}

TEST(CommandTest, CapturesOutputExitCodeAndStdin) {
  CommandOutcome ok = RunProgram({"sh", "-c", "read x; echo got $x; echo err >&2; exit 3"}, "hi\n");
  EXPECT_EQ(ok.exit_code, 3);
  EXPECT_TRUE(absl::StrContains(ok.output, "got hi")) << ok.output;
  EXPECT_TRUE(absl::StrContains(ok.output, "err")) << ok.output;
  EXPECT_EQ(RunProgram({"no-such-program-tcpaas"}).exit_code, 127);
  absl::Status missing = RunChecked({"no-such-program-tcpaas"}, "install it");
  EXPECT_TRUE(absl::StrContains(missing.message(), "install it")) << missing;
  EXPECT_TRUE(RunChecked({"true"}).ok());
}

}  // namespace
}  // namespace tcpaas::server
