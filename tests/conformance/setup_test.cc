#include "tests/conformance/setup.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/conformance/parser.h"

namespace tcpaas::conformance {
namespace {

namespace fs = std::filesystem;

TEST(SetupTest, ScriptOptions) {
  ScriptSetup s;
  for (const ScriptOption& o :
       {ScriptOption{"tolerance_usecs", "10000"}, ScriptOption{"tolerance_percent", "20"},
        ScriptOption{"tcp_ts_tick_usecs", "1000"}, ScriptOption{"strict_segments", {}},
        ScriptOption{"local_ip", "192.168.0.2"}, ScriptOption{"remote_ip", "192.0.2.1/24"},
        ScriptOption{"bind_port", "80"}, ScriptOption{"mtu", "1400"},
        ScriptOption{"verbose", {}}}) {
    ASSERT_TRUE(ApplyScriptOption(o, &s).ok()) << o.name;
  }
  EXPECT_EQ(s.tolerance, Duration::Millis(10));
  EXPECT_EQ(s.tolerance_percent, 20);
  EXPECT_EQ(s.ts_tick, Duration::Millis(1));
  EXPECT_TRUE(s.strict_segments);
  EXPECT_EQ(s.local_ip, Ipv4Address::FromOctets(192, 168, 0, 2));
  EXPECT_EQ(s.remote_ip, Ipv4Address::FromOctets(192, 0, 2, 1));
  EXPECT_EQ(s.bind_port, 80);
  EXPECT_EQ(s.mtu, 1400u);
  EXPECT_FALSE(s.unsupported.has_value());
}

TEST(SetupTest, OptionsThatCannotBeHonouredMakeTheScriptUnsupported) {
  struct Case {
    ScriptOption option;
    std::string reason_part;
  } cases[] = {
      {{"ip_version", "ipv6"}, "IPv6"},
      {{"local_ip", "fd::1"}, "IPv6"},
      {{"non_fatal", "packet"}, "--non_fatal"},
      {{"define", "X=1"}, "--define"},
  };
  for (const Case& c : cases) {
    ScriptSetup s;
    ASSERT_TRUE(ApplyScriptOption(c.option, &s).ok());
    ASSERT_TRUE(s.unsupported.has_value()) << c.option.name;
    EXPECT_NE(s.unsupported->find(c.reason_part), std::string::npos) << *s.unsupported;
  }
  ScriptSetup s;
  EXPECT_FALSE(ApplyScriptOption({"tolerance_usecs", "lots"}, &s).ok());
}

TEST(SetupTest, SysctlsMapOntoTcpConfig) {
  ScriptSetup s;
  const std::pair<std::string, std::string> applied[] = {
      {"net.ipv4.tcp_rmem", "4096 540000 15728640"},
      {"net.ipv4.tcp_wmem", "4096 262144 4194304"},
      {"net.ipv4.tcp_timestamps", "0"},
      {"net/ipv4/tcp_sack", "0"},
      {"/proc/sys/net/ipv4/tcp_syn_retries", "3"},
      {"net.ipv4.tcp_congestion_control", "reno"},
      {"net.ipv4.tcp_frto", "0"},
      {"net.ipv4.tcp_ecn", "0"},
      {"net.ipv4.tcp_tso_win_divisor", "100"},
      {"net.ipv4.tcp_slow_start_after_idle", "1"},
  };
  for (const auto& [name, value] : applied) {
    ASSERT_TRUE(ApplySysctl(name, value, SettingOrigin::kScript, &s).ok()) << name;
    EXPECT_FALSE(s.unsupported.has_value()) << name << ": " << *s.unsupported;
  }
  EXPECT_EQ(s.tcp.defaults.recv_buffer_bytes, 540000u);            // Linux's starting size
  EXPECT_EQ(s.tcp.defaults.window_scale_buffer_bytes, 15728640u);  // its autotuning ceiling
  EXPECT_EQ(s.rmem_max, 15728640u);
  EXPECT_EQ(s.tcp.defaults.send_buffer_bytes, 262144u);
  EXPECT_FALSE(s.tcp.defaults.timestamps);
  EXPECT_FALSE(s.tcp.defaults.sack);
  EXPECT_EQ(s.tcp.syn_retries, 3);
  EXPECT_EQ(s.tcp.defaults.congestion_control, "newreno");

  // Linux's default congestion control (defaults.sh sets it) is CUBIC, which the stack has.
  ScriptSetup cubic;
  ASSERT_TRUE(
      ApplySysctl("net.ipv4.tcp_congestion_control", "cubic\n", SettingOrigin::kBaseline, &cubic)
          .ok());
  EXPECT_EQ(cubic.tcp.defaults.congestion_control, "cubic");
  EXPECT_TRUE(cubic.differences.empty());
  EXPECT_FALSE(cubic.unsupported.has_value());
}

// A feature the stack lacks: unsupported when the script asks for it, a known difference when
// defaults.sh does.
TEST(SetupTest, UnhonouredSysctlsDependOnWhoAsked) {
  const std::pair<std::string, std::string> unhonoured[] = {
      {"net.ipv4.tcp_congestion_control", "bbr"},
      {"net.ipv4.tcp_frto", "2"},
      {"net.ipv4.tcp_ecn", "1"},
      {"net.ipv4.tcp_reordering", "10"},
      {"net.ipv4.tcp_early_retrans", "0"},  // TLP cannot be turned off
      {"net.ipv4.tcp_early_retrans", "2"},  // nor early retransmit (RFC 5827) modelled
      {"net.ipv4.tcp_recovery", "0"},       // RACK cannot be turned off
      {"net.ipv4.tcp_recovery", "3"},       // a static reo_wnd is not modelled
      {"net.ipv4.tcp_dsack", "0"},          // D-SACK cannot be turned off
      {"net.ipv4.tcp_slow_start_after_idle", "0"},
      {"net.ipv4.tcp_mtu_probing", "2"},
      {"net.ipv4.tcp_no_such_thing", "1"},
      {"net.core.rmem_max", "1"},
  };
  for (const auto& [name, value] : unhonoured) {
    ScriptSetup script;
    ASSERT_TRUE(ApplySysctl(name, value, SettingOrigin::kScript, &script).ok());
    EXPECT_TRUE(script.unsupported.has_value()) << name;
    EXPECT_TRUE(script.differences.empty());
    ScriptSetup baseline;
    ASSERT_TRUE(ApplySysctl(name, value, SettingOrigin::kBaseline, &baseline).ok());
    EXPECT_FALSE(baseline.unsupported.has_value()) << name;
    EXPECT_EQ(baseline.differences.size(), 1u) << name;
  }
  ScriptSetup s;
  EXPECT_FALSE(ApplySysctl("net.ipv4.tcp_rmem", "1 2", SettingOrigin::kScript, &s).ok());
  EXPECT_FALSE(ApplySysctl("net.ipv4.tcp_sack", "yes", SettingOrigin::kScript, &s).ok());
}

// Features the stack has (D-SACK, RACK, TLP) are honoured as Linux's defaults set them.
TEST(SetupTest, SysctlsForFeaturesWeHaveAreHonoured) {
  const std::pair<std::string, std::string> honoured[] = {
      {"net.ipv4.tcp_dsack", "1"},
      {"net.ipv4.tcp_recovery", "1"},
      {"net.ipv4.tcp_early_retrans", "3"},
      {"net.ipv4.tcp_early_retrans", "4"},
  };
  for (const auto& [name, value] : honoured) {
    ScriptSetup script;
    ASSERT_TRUE(ApplySysctl(name, value, SettingOrigin::kScript, &script).ok());
    EXPECT_FALSE(script.unsupported.has_value()) << name << "=" << value;
    EXPECT_TRUE(script.differences.empty()) << name << "=" << value;
  }
}

TEST(SetupTest, ShellCommands) {
  ScriptSetup s;
  ASSERT_TRUE(ApplyShellText("ethtool -K tun0 tso off gso off\n"
                             "ip tcp_metrics flush all > /dev/null 2>&1\n"
                             "tc qdisc add dev tun0 root pfifo\n"
                             "ip route change 192.0.2.1 via 192.168.0.2 dev tun0 advmss 600 "
                             "mtu lock 640 initcwnd 11\n"
                             "echo 0 > /proc/sys/net/ipv4/tcp_timestamps\n"
                             "/tmp/sysctl_restore_${PPID}.sh",
                             SettingOrigin::kScript, ".", &s)
                  .ok());
  EXPECT_FALSE(s.unsupported.has_value()) << *s.unsupported;
  EXPECT_EQ(s.tcp.defaults.mss_clamp, 600);
  EXPECT_EQ(s.mtu, 640u);
  EXPECT_EQ(s.tcp.initial_window_segments, 11u);
  EXPECT_FALSE(s.tcp.defaults.timestamps);

  for (const char* cmd :
       {"tc qdisc replace dev tun0 root fq", "tc qdisc replace dev tun0 root pfifo limit 0",
        "echo 3 > /sys/module/tcp_cubic/parameters/hystart_detect",
        "ip -6 route change 2001:DB8::1 dev tun0 mtu 1500", "rm -rf /",
        "../common/missing_defaults.sh"}) {
    ScriptSetup u;
    ASSERT_TRUE(ApplyShellText(cmd, SettingOrigin::kScript, "/nonexistent", &u).ok()) << cmd;
    EXPECT_TRUE(u.unsupported.has_value()) << cmd;
  }
}

// defaults.sh is read from beside the script and applied as the baseline.
TEST(SetupTest, DefaultsFileIsTheBaseline) {
  const fs::path dir = fs::temp_directory_path() / ("tcpaas_setup_" + std::to_string(getpid()));
  fs::create_directories(dir / "common");
  fs::create_directories(dir / "topic");
  std::ofstream(dir / "common" / "defaults.sh")
      << "#!/bin/bash\nsysctl -q net.ipv4.tcp_rmem=\"4096 540000 $((15*1024*1024))\"\n"
         "sysctl -q net.ipv4.tcp_congestion_control=bbr\n";
  std::ofstream(dir / "topic" / "t.pkt")
      << "`../common/defaults.sh\nsysctl -q net.ipv4.tcp_ecn=1`\n0 close(3) = 0\n";
  absl::StatusOr<Script> script = ParseScriptFile((dir / "topic" / "t.pkt").string());
  ASSERT_TRUE(script.ok()) << script.status();
  absl::StatusOr<ScriptSetup> setup = BuildSetup(*script, ScriptSetup());
  fs::remove_all(dir);
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_EQ(setup->rmem_max, 15728640u);
  ASSERT_EQ(setup->differences.size(), 1u);
  EXPECT_NE(setup->differences[0].find("bbr"), std::string::npos);
  ASSERT_TRUE(setup->unsupported.has_value());
  EXPECT_NE(setup->unsupported->find("ECN"), std::string::npos);
}

}  // namespace
}  // namespace tcpaas::conformance
