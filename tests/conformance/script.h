// The abstract syntax of a packetdrill script (grammar: packetdrill's parser.y, summarised in
// ../shared/packetdrill/syntax.md). The parser builds it; the support check, the settings
// mapping and the executor read it. Nothing here knows about our stack.
#ifndef TCPAAS_TESTS_CONFORMANCE_SCRIPT_H_
#define TCPAAS_TESTS_CONFORMANCE_SCRIPT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "stack/base/time.h"

namespace tcpaas::conformance {

// 1-based position of a token in its script.
struct Location {
  int line = 0;
  int column = 0;
};

// When an event happens (packetdrill's event_time rule).
enum class TimeKind {
  kAbsolute,       // "0.100"
  kRelative,       // "+0.1": after the previous event
  kAny,            // "*": outbound packets only, any time
  kAbsoluteRange,  // "0.1~0.2": outbound packets only
  kRelativeRange,  // "+0.1~+0.2": outbound packets only
};

struct EventTime {
  TimeKind kind = TimeKind::kAbsolute;
  Duration start;  // the time, or the offset for relative kinds
  Duration end;    // ranges only
};

enum class Direction { kInbound, kOutbound };  // '<' injected into the stack, '>' sent by it

// The ECN codepoint a packet carries ("[ect0]") or must carry; kUnchecked when absent.
enum class EcnSpec { kUnchecked, kNoEcn, kEct0, kEct1, kCe, kEct01 };

struct IpInfo {
  EcnSpec ecn = EcnSpec::kUnchecked;
  std::optional<uint8_t> tos;  // "[tos 0x10]"
  std::optional<uint8_t> ttl;  // "[ttl 64]"
  std::optional<uint32_t> flow_label;
};

struct TcpOptionSpec {
  enum class Kind {
    kNop,
    kEol,
    kMss,
    kWindowScale,
    kSackPermitted,
    kSack,
    kTimestamp,
    kFastOpen,     // "FO <cookie>"
    kFastOpenExp,  // "FOEXP <cookie>"
    kMd5,          // "md5 <digest>"
    kUnknown,      // any other word: kept as text so the runner can name it
  };
  Kind kind = Kind::kNop;
  uint32_t value = 0;  // kMss, kWindowScale
  std::vector<std::pair<uint32_t, uint32_t>> sack_blocks;
  uint32_t ts_val = 0;
  uint32_t ts_ecr = 0;
  std::string text;  // cookie, digest, or the unknown option as written
  Location location;
};

enum class OptionsSpec {
  kNone,      // no "<...>" at all: the segment has no options
  kList,      // "<mss 1460,nop,...>"
  kWildcard,  // "<...>": outbound only, options not checked
};

struct TcpSegmentSpec {
  std::string flags;  // as written, e.g. "S.", "P.", "."; empty for "-"
  uint32_t seq_start = 0;
  uint32_t seq_end = 0;
  uint32_t payload_len = 0;
  std::optional<uint32_t> ack;
  std::optional<uint32_t> window;
  std::optional<uint32_t> urgent;
  OptionsSpec options_kind = OptionsSpec::kNone;
  std::vector<TcpOptionSpec> options;
  bool fuzz = false;  // a "{mut ...}" fuzzing clause followed the options
};

struct IcmpSpec {
  std::string type;  // "unreachable", "time_exceeded", ...
  std::string code;  // "frag_needed", ... (empty when absent)
  std::optional<uint32_t> mtu;
  std::optional<uint32_t> echo_id;
  // What the ICMP message quotes: a TCP range "[1:1001(1000)]", "udp (N)", "raw (N)".
  std::string echoed_protocol;  // "tcp", "udp", "raw" or empty
  uint32_t echoed_seq = 0;
  uint32_t echoed_len = 0;
};

struct PacketSpec {
  enum class Protocol { kTcp, kUdp, kIcmp };
  Direction direction = Direction::kInbound;
  Protocol protocol = Protocol::kTcp;
  // Outer headers written before the packet ("ipv4 a > b:", "gre:", "mpls ...:"), as text.
  std::vector<std::string> encapsulation;
  IpInfo ip;
  std::optional<std::pair<uint32_t, uint32_t>> ports;  // "8080>9090"
  TcpSegmentSpec tcp;                                  // kTcp
  uint32_t udp_payload_len = 0;                        // kUdp
  IcmpSpec icmp;                                       // kIcmp
};

// A system-call argument or result. Packetdrill's expression grammar has many special
// forms (sockaddr, msghdr, pollfd, ...); they are all lists, structs, calls and assignments
// here, which the executor interprets by name.
struct Expression {
  enum class Kind {
    kEllipsis,  // ...
    kInteger,   // 1000, -1, 0x2
    kWord,      // SOL_TCP, O_NONBLOCK
    kString,    // "abc" (and "abc"... with `string_ellipsis`)
    kList,      // [a, b]
    kStruct,    // {a, b}
    kCall,      // name(args): htons(8080), inet_addr("1.2.3.4"), msg_iov(1)
    kAssign,    // lhs = rhs: items[0] = items[1]
    kBitOr,     // a | b | c
  };
  Kind kind = Kind::kEllipsis;
  int64_t integer = 0;
  bool hex = false;
  bool string_ellipsis = false;
  std::string text;  // word, string contents, or a call's name
  std::vector<Expression> items;
  Location location;

  std::string ToString() const;  // back in script syntax, for messages
};

struct SyscallSpec {
  std::string name;
  std::vector<Expression> args;
  Expression result;
  std::optional<Duration> end_time;  // "...0.2": the call blocks; relative like the start
  std::optional<std::string> errno_name;
  std::optional<std::string> note;  // "(Operation now in progress)"
};

struct CommandSpec {  // `shell command`
  std::string text;
};

struct CodeSpec {  // %{ python }%
  std::string text;
};

using Action = std::variant<PacketSpec, SyscallSpec, CommandSpec, CodeSpec>;

struct Event {
  Location location;  // of the time token: the line packetdrill reports
  EventTime time;
  Action action;
};

// "--name=value" lines at the top of a script.
struct ScriptOption {
  std::string name;
  std::optional<std::string> value;
  Location location;
};

struct Script {
  std::string path;
  std::vector<ScriptOption> options;
  std::optional<CommandSpec> init_command;  // a `command` before the first event
  Location init_location;
  std::vector<Event> events;
  std::optional<CommandSpec> cleanup_command;  // a `command` after the last event
  Location cleanup_location;
};

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_SCRIPT_H_
