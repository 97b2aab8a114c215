// The shell commands packetdrill scripts run around a test, recognised one by one and mapped
// onto the setup; nothing is executed and the host is never touched.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "tests/conformance/setup.h"
#include "tests/conformance/shell_command.h"

namespace tcpaas::conformance {
namespace {

bool EndsWithPathPart(absl::string_view word, absl::string_view file) {
  return word == file || absl::EndsWith(word, absl::StrCat("/", file));
}

// The defaults file a script sources: the path as written, or else the nearest
// common/defaults.sh above the script (some corpus scripts were moved one level up from
// where their "../../common/defaults.sh" pointed).
std::filesystem::path FindDefaultsFile(const std::string& script_dir, const std::string& word) {
  namespace fs = std::filesystem;
  fs::path written = fs::path(script_dir) / word;
  std::error_code ec;
  if (fs::exists(written, ec)) return written;
  const fs::path tail = fs::path(word).parent_path().filename() / fs::path(word).filename();
  for (fs::path dir = fs::absolute(script_dir, ec); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / tail, ec)) return dir / tail;
    if (dir == dir.parent_path()) break;
  }
  return written;
}

// Sourcing defaults.sh applies it as the baseline.
absl::Status ApplyDefaultsFile(const ShellCommand& cmd, const std::string& script_dir,
                               SettingOrigin origin, ScriptSetup* setup) {
  const std::filesystem::path path = FindDefaultsFile(script_dir, cmd.words[0]);
  std::ifstream in(path);
  if (!in) {
    setup->Unhonoured(origin, absl::StrCat("cannot read ", path.string()));
    return absl::OkStatus();
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string dir = path.parent_path().string();
  return ApplyShellText(text.str(), SettingOrigin::kBaseline, dir, setup);
}

// sysctl [-q] [-e] [-w] name=value ...
absl::Status ApplySysctlCommand(const ShellCommand& cmd, SettingOrigin origin, ScriptSetup* setup) {
  for (size_t i = 1; i < cmd.words.size(); ++i) {
    const std::string& w = cmd.words[i];
    if (absl::StartsWith(w, "-")) continue;  // -q, -e, -w: quiet, ignore-unknown, write
    const size_t eq = w.find('=');
    if (eq == std::string::npos) continue;  // reading a value changes nothing
    if (absl::Status s = ApplySysctl(w.substr(0, eq), w.substr(eq + 1), origin, setup); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// ip route change|replace|add <dst> [via <gw>] [dev <dev>] [advmss N] [mtu [lock] N]
//    [initcwnd N] ...; ip tcp_metrics flush ...
absl::Status ApplyIpCommand(const ShellCommand& cmd, SettingOrigin origin, ScriptSetup* setup) {
  const std::vector<std::string>& w = cmd.words;
  if (w.size() >= 2 && w[1] == "tcp_metrics") return absl::OkStatus();  // no metrics cache
  if (w.size() >= 2 && w[1] == "-6") {
    setup->Unhonoured(origin, absl::StrCat("`", cmd.ToString(),
                                           "`: IPv6 is unsupported until the stack has IPv6"));
    return absl::OkStatus();
  }
  if (w.size() < 4 || w[1] != "route" || (w[2] != "change" && w[2] != "replace" && w[2] != "add")) {
    setup->Unhonoured(origin, absl::StrCat("`", cmd.ToString(), "` is not understood"));
    return absl::OkStatus();
  }
  for (size_t i = 4; i < w.size(); ++i) {
    auto number = [&](int64_t* v) -> bool {
      return i + 1 < w.size() && absl::SimpleAtoi(w[i + 1], v) && *v > 0 && *v <= 65535;
    };
    int64_t v = 0;
    if (w[i] == "via" || w[i] == "dev") {
      ++i;  // one route per runner: gateway and device change nothing
    } else if (w[i] == "advmss") {
      if (!number(&v))
        return absl::InvalidArgumentError(absl::StrCat("bad advmss in ", cmd.ToString()));
      setup->tcp.defaults.mss_clamp = static_cast<uint16_t>(v);
      ++i;
    } else if (w[i] == "mtu") {
      if (i + 1 < w.size() && w[i + 1] == "lock") ++i;
      if (!number(&v) || v < 68) {
        return absl::InvalidArgumentError(absl::StrCat("bad mtu in ", cmd.ToString()));
      }
      setup->mtu = static_cast<size_t>(v);
      ++i;
    } else if (w[i] == "initcwnd") {
      if (!number(&v))
        return absl::InvalidArgumentError(absl::StrCat("bad initcwnd in ", cmd.ToString()));
      setup->tcp.initial_window_segments = static_cast<uint32_t>(v);
      ++i;
    } else {
      setup->Unhonoured(origin, absl::StrCat("`", cmd.ToString(), "`: route attribute ", w[i],
                                             " is not supported"));
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

// tc qdisc add|replace|delete dev X root <qdisc> [limit N]: without a qdisc of our own, a
// plain FIFO is what the stack already has; fq (pacing) and a dropping FIFO are not.
absl::Status ApplyTcCommand(const ShellCommand& cmd, SettingOrigin origin, ScriptSetup* setup) {
  const std::vector<std::string>& w = cmd.words;
  if (w.size() >= 3 && w[1] == "qdisc" && (w[2] == "delete" || w[2] == "del")) {
    return absl::OkStatus();
  }
  const auto root = std::find(w.begin(), w.end(), "root");
  if (w.size() >= 3 && w[1] == "qdisc" && root != w.end() && root + 1 != w.end()) {
    const std::string& qdisc = *(root + 1);
    const auto limit = std::find(root, w.end(), "limit");
    const bool drops_all = limit != w.end() && limit + 1 != w.end() && *(limit + 1) == "0";
    if ((qdisc == "pfifo" || qdisc == "pfifo_fast" || qdisc == "noqueue") && !drops_all) {
      return absl::OkStatus();
    }
    if (drops_all) {
      setup->Unhonoured(origin, absl::StrCat("`", cmd.ToString(),
                                             "`: a qdisc that drops every packet is not modelled"));
    } else {
      setup->Unhonoured(origin, absl::StrCat("`", cmd.ToString(), "`: qdisc ", qdisc,
                                             " (pacing) is not modelled"));
    }
    return absl::OkStatus();
  }
  setup->Unhonoured(origin, absl::StrCat("`", cmd.ToString(), "` is not understood"));
  return absl::OkStatus();
}

// echo VALUE > /proc/sys/...: a sysctl; anything else is not understood.
absl::Status ApplyEchoCommand(const ShellCommand& cmd, SettingOrigin origin, ScriptSetup* setup) {
  for (const std::string& r : cmd.redirects) {
    const size_t space = r.find(' ');
    if (r[0] != '>' || space == std::string::npos) continue;
    const std::string target = r.substr(space + 1);
    const std::string value =
        absl::StrJoin(std::vector<std::string>(cmd.words.begin() + 1, cmd.words.end()), " ");
    if (absl::StartsWith(target, "/proc/sys/")) return ApplySysctl(target, value, origin, setup);
    if (target == "/dev/null") return absl::OkStatus();
    setup->Unhonoured(origin, absl::StrCat("`echo ", value, " > ", target, "` is not modelled"));
    return absl::OkStatus();
  }
  return absl::OkStatus();  // plain echo: output only
}

absl::Status ApplyCommand(const ShellCommand& cmd, SettingOrigin origin,
                          const std::string& script_dir, ScriptSetup* setup) {
  if (cmd.words.empty()) return absl::OkStatus();  // only redirections
  const std::string& w0 = cmd.words[0];
  if (EndsWithPathPart(w0, "defaults.sh")) return ApplyDefaultsFile(cmd, script_dir, origin, setup);
  if (w0 == "sysctl") return ApplySysctlCommand(cmd, origin, setup);
  if (EndsWithPathPart(w0, "set_sysctls.py")) {
    for (size_t i = 1; i < cmd.words.size(); ++i) {
      const std::string& a = cmd.words[i];
      const size_t eq = a.find('=');
      if (eq == std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat("set_sysctls.py: bad argument ", a));
      }
      if (absl::Status s = ApplySysctl(a.substr(0, eq), a.substr(eq + 1), origin, setup); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }
  if (w0 == "ip") return ApplyIpCommand(cmd, origin, setup);
  if (w0 == "tc") return ApplyTcCommand(cmd, origin, setup);
  if (w0 == "echo") return ApplyEchoCommand(cmd, origin, setup);
  if (w0 == "ethtool") return absl::OkStatus();  // offloads: our stack has none to turn off
  if (absl::StrContains(w0, "sysctl_restore")) return absl::OkStatus();  // undo: nothing kept
  if (w0 == "true" || w0 == ":") return absl::OkStatus();
  setup->Unhonoured(origin, absl::StrCat("shell command `", cmd.ToString(), "` is not understood"));
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyShellText(absl::string_view text, SettingOrigin origin,
                            const std::string& script_dir, ScriptSetup* setup) {
  absl::StatusOr<std::vector<ShellCommand>> commands = SplitShellCommands(text);
  if (!commands.ok()) return commands.status();
  for (const ShellCommand& cmd : *commands) {
    if (absl::Status s = ApplyCommand(cmd, origin, script_dir, setup); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace tcpaas::conformance
