// Linux TCP sysctls mapped onto our stack's settings. Each entry says what the stack does with
// the value, or why it cannot: a feature we lack is honoured when the script turns it off.
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "tests/conformance/setup.h"

namespace tcpaas::conformance {
namespace {

struct SysctlContext {
  absl::string_view name;
  absl::string_view value;
  SettingOrigin origin;
  ScriptSetup* setup;

  void Unhonoured(absl::string_view why) const {
    setup->Unhonoured(origin, absl::StrCat("sysctl ", name, "=", value, ": ", why));
  }
  absl::Status Bad() const {
    return absl::InvalidArgumentError(absl::StrCat("bad value for sysctl ", name, ": ", value));
  }
  absl::StatusOr<int64_t> Int() const {
    int64_t v = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &v)) {
      // Hex values such as tcp_fastopen=0x70403.
      if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(value), &v)) return Bad();
    }
    return v;
  }
  // "min default max" triples (tcp_rmem, tcp_wmem).
  absl::StatusOr<std::vector<int64_t>> Ints(size_t count) const {
    std::vector<int64_t> out;
    for (absl::string_view part :
         absl::StrSplit(value, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
      int64_t v = 0;
      if (!absl::SimpleAtoi(part, &v) || v < 0) return Bad();
      out.push_back(v);
    }
    if (out.size() != count) return Bad();
    return out;
  }
};

using Handler = absl::Status (*)(const SysctlContext& c);

// A feature the stack lacks: honoured when the value turns it off (`off` is its "off" value).
template <int64_t off>
absl::Status Absent(const SysctlContext& c, absl::string_view feature) {
  absl::StatusOr<int64_t> v = c.Int();
  if (!v.ok()) return v.status();
  if (*v != off) c.Unhonoured(absl::StrCat(feature, " is not implemented"));
  return absl::OkStatus();
}

// A feature the stack always has: honoured when the value is one of `on`; turning it off,
// or a mode the stack does not model, is not.
absl::Status AlwaysOn(const SysctlContext& c, std::initializer_list<int64_t> on,
                      absl::string_view feature) {
  absl::StatusOr<int64_t> v = c.Int();
  if (!v.ok()) return v.status();
  if (std::find(on.begin(), on.end(), *v) != on.end()) return absl::OkStatus();
  c.Unhonoured(*v == 0 ? absl::StrCat(feature, " cannot be turned off")
                       : absl::StrCat(feature, ": only the default mode is modelled"));
  return absl::OkStatus();
}

absl::Status Bool(const SysctlContext& c, bool* out) {
  absl::StatusOr<int64_t> v = c.Int();
  if (!v.ok()) return v.status();
  *out = *v != 0;
  return absl::OkStatus();
}

absl::Status Count(const SysctlContext& c, int* out) {
  absl::StatusOr<int64_t> v = c.Int();
  if (!v.ok()) return v.status();
  if (*v < 0 || *v > 255) return c.Bad();
  *out = static_cast<int>(*v);
  return absl::OkStatus();
}

absl::Status Seconds(const SysctlContext& c, Duration* out) {
  absl::StatusOr<int64_t> v = c.Int();
  if (!v.ok()) return v.status();
  if (*v < 0) return c.Bad();
  *out = Duration::Seconds(*v);
  return absl::OkStatus();
}

absl::Status Nothing(const SysctlContext&) { return absl::OkStatus(); }

const absl::flat_hash_map<absl::string_view, Handler>& Handlers() {
  static const auto* table = new absl::flat_hash_map<absl::string_view, Handler>{
      // --- Buffers. Linux's receive buffer starts at tcp_rmem[1] and autotunes up to
      // tcp_rmem[2], and Linux sizes the SYN's window scale from tcp_rmem[2]. Ours does not
      // autotune: it gets the starting size, and the window scale comes from the ceiling
      // (ConnectionOptions::window_scale_buffer_bytes). The send buffer gets Linux's starting
      // size, which is what bounds a write before autotuning grows it.
      {"tcp_rmem",
       [](const SysctlContext& c) -> absl::Status {
         absl::StatusOr<std::vector<int64_t>> v = c.Ints(3);
         if (!v.ok()) return v.status();
         c.setup->tcp.defaults.recv_buffer_bytes = static_cast<size_t>((*v)[1]);
         c.setup->tcp.defaults.window_scale_buffer_bytes = static_cast<size_t>((*v)[2]);
         c.setup->rmem_max = static_cast<size_t>((*v)[2]);
         return absl::OkStatus();
       }},
      {"tcp_wmem",
       [](const SysctlContext& c) -> absl::Status {
         absl::StatusOr<std::vector<int64_t>> v = c.Ints(3);
         if (!v.ok()) return v.status();
         c.setup->tcp.defaults.send_buffer_bytes = static_cast<size_t>((*v)[1]);
         c.setup->wmem_max = static_cast<size_t>((*v)[2]);
         return absl::OkStatus();
       }},
      // --- Options and retries.
      {"tcp_timestamps",
       [](const SysctlContext& c) { return Bool(c, &c.setup->tcp.defaults.timestamps); }},
      {"tcp_sack", [](const SysctlContext& c) { return Bool(c, &c.setup->tcp.defaults.sack); }},
      {"tcp_window_scaling",
       [](const SysctlContext& c) { return Bool(c, &c.setup->tcp.defaults.window_scale); }},
      {"tcp_syn_retries",
       [](const SysctlContext& c) { return Count(c, &c.setup->tcp.syn_retries); }},
      {"tcp_synack_retries",
       [](const SysctlContext& c) { return Count(c, &c.setup->tcp.synack_retries); }},
      {"tcp_retries2", [](const SysctlContext& c) { return Count(c, &c.setup->tcp.retries2); }},
      {"tcp_fin_timeout",
       [](const SysctlContext& c) { return Seconds(c, &c.setup->tcp.fin_wait2_timeout); }},
      {"tcp_keepalive_time",
       [](const SysctlContext& c) { return Seconds(c, &c.setup->tcp.defaults.keepalive_idle); }},
      {"tcp_keepalive_intvl",
       [](const SysctlContext& c) {
         return Seconds(c, &c.setup->tcp.defaults.keepalive_interval);
       }},
      {"tcp_keepalive_probes",
       [](const SysctlContext& c) { return Count(c, &c.setup->tcp.defaults.keepalive_probes); }},
      {"tcp_challenge_ack_limit",
       [](const SysctlContext& c) -> absl::Status {
         absl::StatusOr<int64_t> v = c.Int();
         if (!v.ok()) return v.status();
         if (*v < 0 || *v > (1 << 30)) return c.Bad();
         c.setup->tcp.challenge_ack_per_second = static_cast<int>(*v);
         return absl::OkStatus();
       }},
      // --- Congestion control and loss recovery.
      {"tcp_congestion_control",
       [](const SysctlContext& c) -> absl::Status {
         const absl::string_view name = absl::StripAsciiWhitespace(c.value);
         if (name == "reno" || name == "newreno") {
           c.setup->tcp.defaults.congestion_control = "newreno";
         } else if (name == "cubic") {
           // Linux's default; ours is RFC 9438 with HyStart++ (RFC 9406) where Linux has
           // its own HyStart (ACK train and delay), so slow-start exits can differ.
           c.setup->tcp.defaults.congestion_control = "cubic";
         } else {
           c.Unhonoured("only newreno and cubic congestion control are implemented");
         }
         return absl::OkStatus();
       }},
      // Spurious timeouts are detected with Eifel (RFC 3522) when timestamps are on.
      {"tcp_frto", [](const SysctlContext& c) { return Absent<0>(c, "F-RTO (RFC 5682)"); }},
      {"tcp_dsack", [](const SysctlContext& c) { return AlwaysOn(c, {1}, "D-SACK (RFC 2883)"); }},
      {"tcp_fack", [](const SysctlContext& c) { return Absent<0>(c, "FACK"); }},
      {"tcp_reordering",
       [](const SysctlContext& c) -> absl::Status {
         absl::StatusOr<int64_t> v = c.Int();
         if (!v.ok()) return v.status();
         if (*v != 3) c.Unhonoured("the duplicate-ACK threshold is fixed at 3 (RFC 5681)");
         return absl::OkStatus();
       }},
      {"tcp_slow_start_after_idle",
       [](const SysctlContext& c) -> absl::Status {
         absl::StatusOr<int64_t> v = c.Int();
         if (!v.ok()) return v.status();
         // RFC 5681 §4.1: our congestion control always restarts from IW after an idle RTO.
         if (*v == 0) c.Unhonoured("cwnd restart after idle (RFC 5681 §4.1) cannot be turned off");
         return absl::OkStatus();
       }},
      // 3 and 4 (Linux's default) enable the tail loss probe; 1 and 2 were the removed
      // early retransmit (RFC 5827).
      {"tcp_early_retrans",
       [](const SysctlContext& c) {
         return AlwaysOn(c, {3, 4}, "tail loss probe (RFC 8985 §7)");
       }},
      // Bit 0x1 is RACK; 0x2 (static reo_wnd) and 0x4 (no DupThresh) are not modelled.
      {"tcp_recovery",
       [](const SysctlContext& c) { return AlwaysOn(c, {1}, "RACK loss detection (RFC 8985)"); }},
      {"tcp_ecn", [](const SysctlContext& c) { return Absent<0>(c, "ECN (RFC 3168)"); }},
      {"tcp_mtu_probing",
       [](const SysctlContext& c) { return Absent<0>(c, "packetization-layer PMTUD (RFC 4821)"); }},
      {"tcp_syncookies",
       [](const SysctlContext& c) {
         return Absent<0>(c, "SYN cookies (a full backlog drops SYNs)");
       }},
      {"tcp_moderate_rcvbuf",
       [](const SysctlContext& c) { return Absent<0>(c, "receive buffer autotuning"); }},
      {"tcp_autocorking", [](const SysctlContext& c) { return Absent<0>(c, "autocorking"); }},
      {"tcp_notsent_lowat",
       [](const SysctlContext& c) -> absl::Status {
         absl::StatusOr<int64_t> v = c.Int();
         if (!v.ok()) return v.status();
         if (*v != 4294967295LL && *v != -1) c.Unhonoured("TCP_NOTSENT_LOWAT is not implemented");
         return absl::OkStatus();
       }},
      // --- Settings that change nothing our stack does (no TSO, no qdisc, no metrics cache,
      // TFO only when a script asks for it, which the support check reports).
      {"tcp_tso_win_divisor", Nothing},
      {"tcp_min_tso_segs", Nothing},
      {"tcp_pacing_ss_ratio", Nothing},
      {"tcp_pacing_ca_ratio", Nothing},
      {"tcp_ecn_option", Nothing},
      {"tcp_fastopen", Nothing},
      {"tcp_fastopen_key", Nothing},
      {"tcp_base_mss", Nothing},
      {"tcp_no_metrics_save", Nothing},
  };
  return *table;
}

}  // namespace

absl::Status ApplySysctl(absl::string_view name, absl::string_view value, SettingOrigin origin,
                         ScriptSetup* setup) {
  std::string normalized(name);
  if (absl::ConsumePrefix(&name, "/proc/sys/")) normalized = absl::StrCat(name);
  absl::StrReplaceAll({{"/", "."}}, &normalized);
  const SysctlContext c{normalized, value, origin, setup};
  absl::string_view key = normalized;
  if (!absl::ConsumePrefix(&key, "net.ipv4.")) {
    c.Unhonoured("has no counterpart in the stack");
    return absl::OkStatus();
  }
  const auto it = Handlers().find(key);
  if (it == Handlers().end()) {
    c.Unhonoured("has no counterpart in the stack");
    return absl::OkStatus();
  }
  return it->second(c);
}

}  // namespace tcpaas::conformance
