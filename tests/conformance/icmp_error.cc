#include "tests/conformance/icmp_error.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "stack/wire/endian.h"

namespace tcpaas::conformance {
namespace {

// "type_N"/"code_N" (tcpdump's notation for any number) or a name from the table.
template <size_t N>
std::optional<int> Lookup(const std::string& text, absl::string_view numeric_prefix,
                          const std::pair<const char*, int> (&table)[N]) {
  absl::string_view rest = text;
  int v = 0;
  if (absl::ConsumePrefix(&rest, numeric_prefix) && absl::SimpleAtoi(rest, &v) && v >= 0 &&
      v <= 255) {
    return v;
  }
  for (const auto& [name, value] : table) {
    if (text == name) return value;
  }
  return std::nullopt;
}

constexpr std::pair<const char*, int> kTypes[] = {
    {"unreachable", 3},        {"source_quench", 4}, {"redirect", 5},     {"time_exceeded", 11},
    {"parameter_problem", 12}, {"echo_reply", 0},    {"echo_request", 8},
};

// RFC 1700 codes of destination unreachable.
constexpr std::pair<const char*, int> kUnreachableCodes[] = {
    {"net_unreachable", 0},
    {"host_unreachable", 1},
    {"protocol_unreachable", 2},
    {"port_unreachable", 3},
    {"frag_needed", 4},
    {"source_route_failed", 5},
    {"net_unknown", 6},
    {"host_unknown", 7},
    {"source_host_isolated", 8},
    {"net_prohibited", 9},
    {"host_prohibited", 10},
    {"net_unreachable_for_tos", 11},
    {"host_unreachable_for_tos", 12},
    {"packet_filtered", 13},
    {"precedence_violation", 14},
    {"precedence_cutoff", 15},
};

ip::IcmpErrorKind KindOf(int type, int code) {
  if (type == 11) return ip::IcmpErrorKind::kTimeExceeded;
  if (type == 12) return ip::IcmpErrorKind::kParameterProblem;
  if (type != 3) return ip::IcmpErrorKind::kOther;
  switch (code) {
    case 0:
      return ip::IcmpErrorKind::kNetUnreachable;
    case 1:
      return ip::IcmpErrorKind::kHostUnreachable;
    case 2:
      return ip::IcmpErrorKind::kProtocolUnreachable;
    case 3:
      return ip::IcmpErrorKind::kPortUnreachable;
    case 4:
      return ip::IcmpErrorKind::kFragmentationNeeded;
    case 9:
    case 10:
    case 13:
      return ip::IcmpErrorKind::kAdminProhibited;
    default:
      return ip::IcmpErrorKind::kOther;
  }
}

}  // namespace

absl::StatusOr<ScriptIcmpError> MakeIcmpError(const IcmpSpec& icmp, Endpoint local, Endpoint remote,
                                              uint32_t live_seq) {
  const std::optional<int> type = Lookup(icmp.type, "type_", kTypes);
  if (!type) return absl::InvalidArgumentError(absl::StrCat("bad ICMP type ", icmp.type));
  std::optional<int> code = 0;
  if (!icmp.code.empty()) {
    // Only destination unreachable has named codes; any type takes "code_N".
    code = Lookup(icmp.code, "code_", kUnreachableCodes);
    if (code && *type != 3 && !absl::StartsWith(icmp.code, "code_")) code.reset();
  }
  if (!code) return absl::InvalidArgumentError(absl::StrCat("bad ICMP code ", icmp.code));
  if (*type == 0 || *type == 8 || *type == 5) {
    return absl::UnimplementedError(
        absl::StrCat("inbound ICMP ", icmp.type, ": only error messages reach the TCP layer"));
  }
  if (!icmp.echoed_protocol.empty() && icmp.echoed_protocol != "tcp") {
    return absl::UnimplementedError(
        absl::StrCat("ICMP quoting a ", icmp.echoed_protocol, " datagram"));
  }
  if (icmp.mtu && !(*type == 3 && *code == 4)) {
    return absl::InvalidArgumentError("ICMPv4 MTU is only valid for unreachable-frag_needed");
  }
  ScriptIcmpError out;
  wire::Store16(out.quote.data(), local.port.value());
  wire::Store16(out.quote.data() + 2, remote.port.value());
  wire::Store32(out.quote.data() + 4, live_seq);
  ip::IcmpError& e = out.error;
  e.kind = KindOf(*type, *code);
  e.type = static_cast<uint8_t>(*type);
  e.code = static_cast<uint8_t>(*code);
  e.next_hop_mtu = static_cast<uint16_t>(icmp.mtu.value_or(0));
  e.original_src = local.addr;
  e.original_dst = remote.addr;
  e.protocol = ip::kProtoTcp;
  return out;
}

}  // namespace tcpaas::conformance
