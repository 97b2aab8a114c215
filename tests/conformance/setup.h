// How the runner sets up the stack and itself for one script: packetdrill's --options, and the
// shell commands of the script (sysctl, set_sysctls.py, ip route, tc, ethtool, and the
// ../common/defaults.sh they source) mapped onto TcpConfig and runner settings.
//
// A setting the runner cannot honour is never ignored silently:
//  - asked for by the script itself, it makes the script unsupported (the first reason wins);
//  - asked for by defaults.sh (Linux's production baseline, sourced by nearly every script),
//    it is a known difference from Linux, listed in the verbose output and the README.
#ifndef TCPAAS_TESTS_CONFORMANCE_SETUP_H_
#define TCPAAS_TESTS_CONFORMANCE_SETUP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stack/base/time.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"
#include "tests/conformance/script.h"

namespace tcpaas::conformance {

enum class SettingOrigin {
  kScript,    // the script's own options and commands
  kBaseline,  // defaults.sh: Linux's production configuration
};

struct ScriptSetup {
  // --- The runner (packetdrill's config.c defaults) ---------------------------------------
  Duration tolerance = Duration::Micros(4000);  // --tolerance_usecs
  double tolerance_percent = 12.5;              // --tolerance_percent
  Duration ts_tick;                             // --tcp_ts_tick_usecs; zero: TS val unchecked
  bool strict_segments = false;                 // --strict_segments: no segment aggregation
  bool ts_ecr_scaled = false;                   // --tcp_ts_ecr_scaled
  // Addresses only name the two ends inside the runner; no packet leaves the process.
  Ipv4Address local_ip = Ipv4Address::FromOctets(198, 18, 0, 2);
  Ipv4Address remote_ip = Ipv4Address::FromOctets(198, 18, 0, 1);
  uint16_t bind_port = 8080;     // --bind_port: where the script's listener binds
  uint16_t connect_port = 8080;  // --connect_port: where the script's connect() goes

  // --- The stack ---------------------------------------------------------------------------
  tcp::TcpConfig tcp;
  size_t rmem_max = 6291456;  // tcp_rmem[2]: Linux picks the SYN's window scale from it
  size_t wmem_max = 4194304;  // tcp_wmem[2]
  size_t mtu = 1500;          // --mtu and `ip route ... mtu`: the path MTU the stack sees

  // --- What could not be honoured ------------------------------------------------------------
  std::vector<std::string> differences;  // baseline settings (defaults.sh)
  std::optional<std::string> unsupported;

  void Unhonoured(SettingOrigin origin, std::string reason);
};

// One "--name[=value]" line. Errors only for malformed values (e.g. a non-numeric tolerance).
absl::Status ApplyScriptOption(const ScriptOption& option, ScriptSetup* setup);

// One sysctl, named as in sysctl(8) ("net.ipv4.tcp_sack"), with '/' separators, or as a
// /proc/sys path. Errors only for malformed values.
absl::Status ApplySysctl(absl::string_view name, absl::string_view value, SettingOrigin origin,
                         ScriptSetup* setup);

// The text of a `command` (or of defaults.sh). `script_dir` resolves relative paths such as
// ../common/defaults.sh. Errors for malformed shell text or values.
absl::Status ApplyShellText(absl::string_view text, SettingOrigin origin,
                            const std::string& script_dir, ScriptSetup* setup);

// Options and init command of `script`, applied over `base`. Errors name path:line.
absl::StatusOr<ScriptSetup> BuildSetup(const Script& script, const ScriptSetup& base);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_SETUP_H_
