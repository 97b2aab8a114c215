#include "tests/conformance/support_check.h"

#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "tests/conformance/inbound_damage.h"

namespace tcpaas::conformance {
namespace {

// The system calls the executor maps onto the stack's socket-like API.
bool IsKnownSyscall(absl::string_view name) {
  static constexpr absl::string_view kKnown[] = {
      "socket", "bind",       "listen",     "accept", "connect",  "write",
      "send",   "sendmsg",    "read",       "recv",   "shutdown", "close",
      "poll",   "setsockopt", "getsockopt", "fcntl",  "ioctl",
  };
  for (absl::string_view k : kKnown) {
    if (k == name) return true;
  }
  return false;
}

std::optional<std::string> CheckTcpOptions(const TcpSegmentSpec& tcp, bool outbound) {
  for (const TcpOptionSpec& o : tcp.options) {
    // tcpaas's "bad_csum" and "doff N" make an injected segment malformed.
    if (IsDamageOption(o)) {
      if (outbound) return absl::StrCat("'", o.text, "' only applies to inbound segments");
      continue;
    }
    switch (o.kind) {
      case TcpOptionSpec::Kind::kFastOpen:
      case TcpOptionSpec::Kind::kFastOpenExp:
        return "TCP Fast Open (RFC 7413) is not implemented";
      case TcpOptionSpec::Kind::kMd5:
        return "TCP MD5 signatures (RFC 2385) are not implemented";
      case TcpOptionSpec::Kind::kUnknown:
        return absl::StrCat("TCP option '", o.text, "' is not understood");
      default:
        break;
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckPacket(const PacketSpec& p) {
  const bool outbound = p.direction == Direction::kOutbound;
  if (!p.encapsulation.empty()) {
    return absl::StrCat("outer headers (", absl::StrJoin(p.encapsulation, "; "),
                        ") are not modelled");
  }
  if (p.protocol == PacketSpec::Protocol::kUdp) return "UDP packets: the stack has no UDP";
  if (p.protocol == PacketSpec::Protocol::kIcmp && outbound) {
    return "outbound ICMP: the runner drives the TCP layer, which sends none";
  }
  if (p.ip.flow_label) return "IPv6 flow labels: IPv6 is unsupported until the stack has IPv6";
  if (p.ip.ttl) return "TTL of a packet: set by the IP layer, below what the runner drives";
  if (p.ip.tos && outbound) return "TOS of outgoing packets: set by the IP layer";
  if (p.tcp.fuzz) return "packet fuzzing clauses are not supported";
  if (p.tcp.flags.find_first_of("0123456789") != std::string::npos) {
    return "AccECN ACE counters are not implemented";
  }
  if (p.tcp.flags.find('U') != std::string::npos || p.tcp.urgent) {
    return "urgent data (URG) is not implemented";
  }
  return CheckTcpOptions(p.tcp, outbound);
}

std::optional<std::string> CheckAction(const Action& action) {
  if (const auto* p = std::get_if<PacketSpec>(&action)) return CheckPacket(*p);
  if (const auto* s = std::get_if<SyscallSpec>(&action)) {
    if (!IsKnownSyscall(s->name)) return absl::StrCat("system call ", s->name, "() is not mapped");
    return std::nullopt;
  }
  return std::nullopt;  // code blocks and timed commands are judged while running
}

}  // namespace

std::optional<std::string> FindUnsupportedFeature(const Script& script) {
  for (const Event& e : script.events) {
    if (std::optional<std::string> why = CheckAction(e.action)) {
      return absl::StrCat("line ", e.location.line, ": ", *why);
    }
  }
  return std::nullopt;
}

}  // namespace tcpaas::conformance
