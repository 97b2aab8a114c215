#include "tests/conformance/setup.h"

#include <filesystem>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tcpaas::conformance {
namespace {

absl::Status BadValue(const ScriptOption& o) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad value for --", o.name, ": ", o.value.value_or("(none)")));
}

// "a.b.c.d" or "a.b.c.d/len"; IPv6 makes the script unsupported.
absl::Status ApplyAddress(const ScriptOption& o, Ipv4Address* out, ScriptSetup* setup) {
  if (!o.value) return BadValue(o);
  absl::string_view v = *o.value;
  if (v.find(':') != absl::string_view::npos) {
    setup->Unhonoured(SettingOrigin::kScript,
                      absl::StrCat("--", o.name, "=", v,
                                   ": IPv6 scripts are unsupported until the stack has IPv6"));
    return absl::OkStatus();
  }
  v = v.substr(0, v.find('/'));
  std::optional<Ipv4Address> a = Ipv4Address::Parse(absl::StrCat(v));
  if (!a) return BadValue(o);
  *out = *a;
  return absl::OkStatus();
}

}  // namespace

void ScriptSetup::Unhonoured(SettingOrigin origin, std::string reason) {
  if (origin == SettingOrigin::kBaseline) {
    differences.push_back(std::move(reason));
  } else if (!unsupported) {
    unsupported = std::move(reason);
  }
}

absl::Status ApplyScriptOption(const ScriptOption& o, ScriptSetup* setup) {
  const std::string& n = o.name;
  auto number = [&](int64_t* out) -> absl::Status {
    if (!o.value || !absl::SimpleAtoi(*o.value, out) || *out < 0) return BadValue(o);
    return absl::OkStatus();
  };
  int64_t v = 0;
  if (n == "tolerance_usecs") {
    if (absl::Status s = number(&v); !s.ok()) return s;
    setup->tolerance = Duration::Micros(v);
  } else if (n == "tolerance_percent") {
    double pct = 0;
    if (!o.value || !absl::SimpleAtod(*o.value, &pct) || pct < 0) return BadValue(o);
    setup->tolerance_percent = pct;
  } else if (n == "tcp_ts_tick_usecs") {
    if (absl::Status s = number(&v); !s.ok()) return s;
    setup->ts_tick = Duration::Micros(v);
  } else if (n == "strict_segments") {
    setup->strict_segments = true;
  } else if (n == "tcp_ts_ecr_scaled") {
    setup->ts_ecr_scaled = true;
  } else if (n == "ip_version") {
    if (o.value != "ipv4") {
      setup->Unhonoured(SettingOrigin::kScript,
                        absl::StrCat("--ip_version=", o.value.value_or(""),
                                     ": IPv6 scripts are unsupported until the stack has IPv6"));
    }
  } else if (n == "local_ip") {
    return ApplyAddress(o, &setup->local_ip, setup);
  } else if (n == "remote_ip") {
    return ApplyAddress(o, &setup->remote_ip, setup);
  } else if (n == "gateway_ip" || n == "netmask_ip") {
    Ipv4Address ignored;  // no routing inside the runner: only the address family matters
    return ApplyAddress(o, &ignored, setup);
  } else if (n == "bind_port" || n == "connect_port") {
    if (absl::Status s = number(&v); !s.ok()) return s;
    if (v == 0 || v > 0xffff) return BadValue(o);
    (n == "bind_port" ? setup->bind_port : setup->connect_port) = static_cast<uint16_t>(v);
  } else if (n == "mtu") {
    if (absl::Status s = number(&v); !s.ok()) return s;
    if (v < 576 || v > 65535) return BadValue(o);
    setup->mtu = static_cast<size_t>(v);
  } else if (n == "verbose" || n == "debug" || n == "dry_run" || n == "code_command" ||
             n == "code_format" || n == "code_sockopt") {
    // Runner chatter and Python settings: nothing to honour (%{ }% blocks are judged apart).
  } else {
    // mss (inbound TSO), speed, non_fatal, define, init_scripts, wire_*, so_*, is_anyip, ...
    setup->Unhonoured(SettingOrigin::kScript,
                      absl::StrCat("option --", n, " is not supported by the runner"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ScriptSetup> BuildSetup(const Script& script, const ScriptSetup& base) {
  ScriptSetup setup = base;
  for (const ScriptOption& o : script.options) {
    if (absl::Status s = ApplyScriptOption(o, &setup); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(script.path, ":", o.location.line, ": ", s.message()));
    }
  }
  if (script.init_command) {
    const std::string dir = std::filesystem::path(script.path).parent_path().string();
    if (absl::Status s =
            ApplyShellText(script.init_command->text, SettingOrigin::kScript, dir, &setup);
        !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(script.path, ":", script.init_location.line, ": ", s.message()));
    }
  }
  return setup;
}

}  // namespace tcpaas::conformance
