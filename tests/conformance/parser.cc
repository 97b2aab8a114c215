#include "tests/conformance/parser.h"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "tests/conformance/lexer.h"

namespace tcpaas::conformance {
namespace {

constexpr int64_t kU32Max = 0xffffffffLL;
constexpr int64_t kU16Max = 0xffffLL;

std::string Describe(const Token& t) {
  if (t.kind == TokenKind::kEnd) return "end of script";
  return absl::StrCat("'", t.text, "'");
}

bool IsIpInfoWord(const Token& t) {
  static constexpr absl::string_view kWords[] = {"ect0",  "ect1", "ce",  "noecn",
                                                 "ect01", "tos",  "ttl", "flowlabel"};
  if (t.kind != TokenKind::kWord) return false;
  for (absl::string_view w : kWords) {
    if (t.text == w) return true;
  }
  return false;
}

bool IsEncapsulationWord(const Token& t) {
  return t.IsWord("ipv4") || t.IsWord("ipv6") || t.IsWord("gre") || t.IsWord("GREv0") ||
         t.IsWord("mpls");
}

// Bytes the options take on the wire (unknown options count as unknown: 0).
size_t OptionBytes(const std::vector<TcpOptionSpec>& options) {
  size_t n = 0;
  for (const TcpOptionSpec& o : options) {
    switch (o.kind) {
      case TcpOptionSpec::Kind::kNop:
      case TcpOptionSpec::Kind::kEol:
        n += 1;
        break;
      case TcpOptionSpec::Kind::kMss:
        n += 4;
        break;
      case TcpOptionSpec::Kind::kWindowScale:
        n += 3;
        break;
      case TcpOptionSpec::Kind::kSackPermitted:
        n += 2;
        break;
      case TcpOptionSpec::Kind::kSack:
        n += 2 + 8 * o.sack_blocks.size();
        break;
      case TcpOptionSpec::Kind::kTimestamp:
        n += 10;
        break;
      case TcpOptionSpec::Kind::kFastOpen:
        n += 2 + o.text.size() / 2;
        break;
      case TcpOptionSpec::Kind::kFastOpenExp:
        n += 4 + o.text.size() / 2;
        break;
      case TcpOptionSpec::Kind::kMd5:
        n += 18;
        break;
      case TcpOptionSpec::Kind::kUnknown:
        return 0;
    }
  }
  return n;
}

// Names that packetdrill parses as call-like forms inside system-call arguments.
bool IsCallName(absl::string_view w) {
  return w == "htons" || w == "inet_addr" || w == "inet6_addr" || w == "msg_name" || w == "msg_iov";
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, absl::string_view path)
      : tokens_(std::move(tokens)), path_(path) {}

  absl::StatusOr<Script> Run() {
    Script script;
    script.path = path_;
    while (Peek().kind == TokenKind::kOption) {
      absl::StatusOr<ScriptOption> o = ParseOption();
      if (!o.ok()) return o.status();
      script.options.push_back(*std::move(o));
    }
    if (Peek().kind == TokenKind::kBackQuoted) {
      script.init_location = Peek().location;
      script.init_command = CommandSpec{Take().text};
    }
    if (Peek().kind == TokenKind::kEnd) return Error(Peek(), "the script has no events");
    while (Peek().kind != TokenKind::kEnd) {
      if (Peek().kind == TokenKind::kBackQuoted) {
        script.cleanup_location = Peek().location;
        script.cleanup_command = CommandSpec{Take().text};
        if (Peek().kind != TokenKind::kEnd) {
          return Error(Peek(),
                       "a `command` without a time may only open or close the script; "
                       "expected end of script, got " +
                           Describe(Peek()));
        }
        break;
      }
      absl::StatusOr<Event> e = ParseEvent();
      if (!e.ok()) return e.status();
      script.events.push_back(*std::move(e));
    }
    return script;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    const size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Take() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }

  absl::Status Error(const Token& at, absl::string_view message) const {
    return Error(at.location, message);
  }
  absl::Status Error(Location at, absl::string_view message) const {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ":", at.line, ":", at.column, ": ", message));
  }
  absl::Status Expected(absl::string_view what) const {
    return Error(Peek(), absl::StrCat("expected ", what, ", got ", Describe(Peek())));
  }

  absl::Status ExpectPunct(char c) {
    if (!Peek().IsPunct(c)) return Expected(absl::StrCat("'", std::string(1, c), "'"));
    Take();
    return absl::OkStatus();
  }
  absl::Status ExpectWord(absl::string_view w) {
    if (!Peek().IsWord(w)) return Expected(absl::StrCat("'", w, "'"));
    Take();
    return absl::OkStatus();
  }

  // An INTEGER token within [0, max].
  absl::StatusOr<uint32_t> TakeUnsigned(absl::string_view what, int64_t max) {
    const Token& t = Peek();
    if (t.kind != TokenKind::kInteger && t.kind != TokenKind::kHexInteger) {
      return Expected(what);
    }
    if (t.value < 0 || t.value > max) {
      return Error(t, absl::StrCat(what, " out of range: ", t.text));
    }
    Take();
    return static_cast<uint32_t>(t.value);
  }

  absl::StatusOr<ScriptOption> ParseOption() {
    ScriptOption o;
    o.location = Peek().location;
    o.name = Take().text;
    if (!Peek().IsPunct('=')) return o;
    Take();
    const Token& v = Peek();
    switch (v.kind) {
      case TokenKind::kInteger:
      case TokenKind::kHexInteger:
      case TokenKind::kFloat:
      case TokenKind::kString:
      case TokenKind::kIpv4:
      case TokenKind::kIpv6:
        o.value = Take().text;
        return o;
      case TokenKind::kWord: {
        std::string value = Take().text;
        if (Peek().IsPunct('=')) {  // --define=NAME=VALUE
          Take();
          const Token& rhs = Peek();
          if (rhs.kind != TokenKind::kWord && rhs.kind != TokenKind::kString &&
              rhs.kind != TokenKind::kBackQuoted && rhs.kind != TokenKind::kInteger) {
            return Expected("a value after '='");
          }
          absl::StrAppend(&value, "=", Take().text);
        }
        o.value = std::move(value);
        return o;
      }
      default:
        return Expected(absl::StrCat("a value for --", o.name));
    }
  }

  absl::StatusOr<Duration> TakeTime() {
    const Token& t = Peek();
    if (t.kind != TokenKind::kInteger && t.kind != TokenKind::kFloat) {
      return Expected("a time in seconds");
    }
    absl::StatusOr<Duration> d = ParseSeconds(t.text);
    if (!d.ok()) return Error(t, d.status().message());
    Take();
    return *d;
  }

  absl::StatusOr<EventTime> ParseEventTime() {
    EventTime et;
    if (Peek().IsPunct('*')) {
      Take();
      et.kind = TimeKind::kAny;
      return et;
    }
    const bool relative = Peek().IsPunct('+');
    if (relative) Take();
    absl::StatusOr<Duration> start = TakeTime();
    if (!start.ok()) return start.status();
    et.start = *start;
    et.kind = relative ? TimeKind::kRelative : TimeKind::kAbsolute;
    if (Peek().IsPunct('~')) {
      Take();
      if (relative) {
        if (absl::Status s = ExpectPunct('+'); !s.ok()) return s;
      }
      absl::StatusOr<Duration> end = TakeTime();
      if (!end.ok()) return end.status();
      et.end = *end;
      et.kind = relative ? TimeKind::kRelativeRange : TimeKind::kAbsoluteRange;
      if (et.end < et.start) return Error(Peek(), "time range is backwards");
    }
    return et;
  }

  absl::StatusOr<Event> ParseEvent() {
    Event e;
    e.location = Peek().location;
    absl::StatusOr<EventTime> time = ParseEventTime();
    if (!time.ok()) return time.status();
    e.time = *time;
    const Token& t = Peek();
    if (t.IsPunct('<') || t.IsPunct('>')) {
      absl::StatusOr<PacketSpec> p = ParsePacket();
      if (!p.ok()) return p.status();
      e.action = *std::move(p);
    } else if (t.kind == TokenKind::kBackQuoted) {
      e.action = CommandSpec{Take().text};
    } else if (t.kind == TokenKind::kCode) {
      e.action = CodeSpec{Take().text};
    } else if (t.kind == TokenKind::kEllipsis || t.kind == TokenKind::kWord) {
      absl::StatusOr<SyscallSpec> s = ParseSyscall();
      if (!s.ok()) return s.status();
      e.action = *std::move(s);
    } else {
      return Expected("a packet, a system call, a `command` or %{code}% after the time");
    }
    const auto* packet = std::get_if<PacketSpec>(&e.action);
    const bool outbound = packet != nullptr && packet->direction == Direction::kOutbound;
    if (e.time.kind == TimeKind::kAny && !outbound) {
      return Error(e.location, "event time * can only be used with outbound packets");
    }
    if ((e.time.kind == TimeKind::kAbsoluteRange || e.time.kind == TimeKind::kRelativeRange) &&
        !outbound) {
      return Error(e.location, "event time range can only be used with outbound packets");
    }
    return e;
  }

  // --- Packets ---------------------------------------------------------------------------

  absl::StatusOr<PacketSpec> ParsePacket() {
    PacketSpec p;
    const Token& dir = Take();
    p.direction = dir.IsPunct('<') ? Direction::kInbound : Direction::kOutbound;
    while (IsEncapsulationWord(Peek())) {
      std::vector<std::string> words;
      while (!Peek().IsPunct(':')) {
        if (Peek().kind == TokenKind::kEnd) return Expected("':' after an outer header");
        words.push_back(Take().text);
      }
      Take();
      p.encapsulation.push_back(absl::StrJoin(words, " "));
    }
    if ((Peek().IsPunct('(') || Peek().IsPunct('[')) && IsIpInfoWord(Peek(1))) {
      if (absl::Status s = ParseIpInfo(&p.ip); !s.ok()) return s;
      if (p.ip.ecn == EcnSpec::kEct01 && p.direction != Direction::kOutbound) {
        return Error(dir, "[ect01] can only be used with outbound packets");
      }
    }
    if (Peek().IsWord("udp")) {
      Take();
      p.protocol = PacketSpec::Protocol::kUdp;
      if (absl::Status s = ParsePorts(&p); !s.ok()) return s;
      if (absl::Status s = ExpectPunct('('); !s.ok()) return s;
      absl::StatusOr<uint32_t> len = TakeUnsigned("UDP payload size", kU16Max);
      if (!len.ok()) return len.status();
      p.udp_payload_len = *len;
      if (absl::Status s = ExpectPunct(')'); !s.ok()) return s;
      return p;
    }
    if (Peek().IsWord("icmp")) {
      Take();
      p.protocol = PacketSpec::Protocol::kIcmp;
      if (absl::Status s = ParseIcmp(&p.icmp); !s.ok()) return s;
      return p;
    }
    if (absl::Status s = ParsePorts(&p); !s.ok()) return s;
    if (absl::Status s = ParseTcp(p.direction, &p.tcp); !s.ok()) return s;
    return p;
  }

  absl::Status ParseIpInfo(IpInfo* ip) {
    const char close = Peek().IsPunct('(') ? ')' : ']';
    Take();
    while (true) {
      const Token& w = Peek();
      if (w.IsWord("ect0")) {
        ip->ecn = EcnSpec::kEct0;
        Take();
      } else if (w.IsWord("ect1")) {
        ip->ecn = EcnSpec::kEct1;
        Take();
      } else if (w.IsWord("ce")) {
        ip->ecn = EcnSpec::kCe;
        Take();
      } else if (w.IsWord("noecn")) {
        ip->ecn = EcnSpec::kNoEcn;
        Take();
      } else if (w.IsWord("ect01")) {
        ip->ecn = EcnSpec::kEct01;
        Take();
      } else if (w.IsWord("tos")) {
        Take();
        absl::StatusOr<uint32_t> v = TakeUnsigned("tos", 0xff);
        if (!v.ok()) return v.status();
        ip->tos = static_cast<uint8_t>(*v);
      } else if (w.IsWord("ttl")) {
        Take();
        absl::StatusOr<uint32_t> v = TakeUnsigned("ttl", 0xff);
        if (!v.ok()) return v.status();
        ip->ttl = static_cast<uint8_t>(*v);
      } else if (w.IsWord("flowlabel")) {
        Take();
        absl::StatusOr<uint32_t> v = TakeUnsigned("flow label", 0xfffff);
        if (!v.ok()) return v.status();
        ip->flow_label = *v;
      } else {
        return Expected("ect0, ect1, ce, noecn, ect01, tos, ttl or flowlabel");
      }
      if (Peek().IsPunct(',')) {
        Take();
        continue;
      }
      return ExpectPunct(close);
    }
  }

  absl::Status ParsePorts(PacketSpec* p) {
    if (Peek().kind == TokenKind::kInteger && Peek(1).IsPunct('>')) {
      absl::StatusOr<uint32_t> src = TakeUnsigned("source port", kU16Max);
      if (!src.ok()) return src.status();
      Take();  // '>'
      absl::StatusOr<uint32_t> dst = TakeUnsigned("destination port", kU16Max);
      if (!dst.ok()) return dst.status();
      p->ports = std::make_pair(*src, *dst);
    }
    return absl::OkStatus();
  }

  absl::Status ParseFlags(std::string* flags) {
    const Token& t = Peek();
    if (t.IsPunct('.')) {
      Take();
      *flags = ".";
    } else if (t.IsPunct('-')) {
      Take();
      flags->clear();
    } else if (t.kind == TokenKind::kWord) {
      *flags = Take().text;
      if (Peek().IsPunct('.')) {
        Take();
        flags->push_back('.');
      } else if (Peek().kind == TokenKind::kFloat && Peek().text[0] == '.') {
        absl::StrAppend(flags, Take().text);  // AccECN "S.12"-style ACE bits
      }
    } else {
      return Expected("TCP flags (e.g. S, S., P., F., R, ., -)");
    }
    for (char c : *flags) {
      if (absl::string_view("FSRPUEWA.0123456789").find(c) == absl::string_view::npos) {
        return Error(t, absl::StrCat("unknown TCP flag '", std::string(1, c), "' in ", *flags));
      }
    }
    return absl::OkStatus();
  }

  absl::Status ParseTcp(Direction direction, TcpSegmentSpec* tcp) {
    if (absl::Status s = ParseFlags(&tcp->flags); !s.ok()) return s;
    const Token& seq_token = Peek();
    absl::StatusOr<uint32_t> start = TakeUnsigned("TCP start sequence number", kU32Max);
    if (!start.ok()) return start.status();
    if (absl::Status s = ExpectPunct(':'); !s.ok()) return s;
    absl::StatusOr<uint32_t> end = TakeUnsigned("TCP end sequence number", kU32Max);
    if (!end.ok()) return end.status();
    if (absl::Status s = ExpectPunct('('); !s.ok()) return s;
    absl::StatusOr<uint32_t> len = TakeUnsigned("TCP payload size", kU16Max);
    if (!len.ok()) return len.status();
    if (absl::Status s = ExpectPunct(')'); !s.ok()) return s;
    // packetdrill requires end == start + len; we also accept it modulo 2^32, so our own
    // scripts can cross the wrap point.
    if (static_cast<uint32_t>(*start + *len) != *end) {
      return Error(seq_token, "inconsistent TCP sequence numbers and payload size");
    }
    tcp->seq_start = *start;
    tcp->seq_end = *end;
    tcp->payload_len = *len;
    if (Peek().IsWord("ack")) {
      Take();
      absl::StatusOr<uint32_t> v = TakeUnsigned("TCP ack sequence number", kU32Max);
      if (!v.ok()) return v.status();
      tcp->ack = *v;
    }
    if (Peek().IsWord("win")) {
      Take();
      absl::StatusOr<uint32_t> v = TakeUnsigned("TCP window value", kU16Max);
      if (!v.ok()) return v.status();
      tcp->window = *v;
    }
    if (Peek().IsWord("urg")) {
      Take();
      absl::StatusOr<uint32_t> v = TakeUnsigned("urg_ptr value", kU16Max);
      if (!v.ok()) return v.status();
      tcp->urgent = *v;
    }
    if (Peek().IsPunct('<')) {
      const Token& open = Take();
      if (Peek().kind == TokenKind::kEllipsis) {
        Take();
        if (direction != Direction::kOutbound) {
          return Error(open, "<...> for TCP options can only be used with outbound packets");
        }
        tcp->options_kind = OptionsSpec::kWildcard;
        if (absl::Status s = ExpectPunct('>'); !s.ok()) return s;
      } else {
        tcp->options_kind = OptionsSpec::kList;
        while (true) {
          absl::StatusOr<TcpOptionSpec> o = ParseTcpOption();
          if (!o.ok()) return o.status();
          tcp->options.push_back(*std::move(o));
          if (Peek().IsPunct(',')) {
            Take();
            continue;
          }
          if (absl::Status s = ExpectPunct('>'); !s.ok()) return s;
          break;
        }
      }
    }
    if (!tcp->window && direction == Direction::kInbound) {
      return Error(seq_token, "window must be specified for inbound packets");
    }
    if (const size_t bytes = OptionBytes(tcp->options); bytes % 4 != 0 || bytes > 40) {
      return Error(seq_token, absl::StrCat("TCP options take ", bytes,
                                           " bytes; they must be a multiple of 4, at most 40"));
    }
    if (Peek().IsPunct('{')) {  // fuzzing parameters: kept only as a flag
      while (!Peek().IsPunct('}')) {
        if (Peek().kind == TokenKind::kEnd) return Expected("'}'");
        Take();
      }
      Take();
      tcp->fuzz = true;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<TcpOptionSpec> ParseTcpOption() {
    TcpOptionSpec o;
    o.location = Peek().location;
    if (Peek().kind != TokenKind::kWord) return Expected("a TCP option");
    const std::string name = Take().text;
    using Kind = TcpOptionSpec::Kind;
    if (name == "nop") {
      o.kind = Kind::kNop;
    } else if (name == "eol") {
      o.kind = Kind::kEol;
    } else if (name == "sackOK") {
      o.kind = Kind::kSackPermitted;
    } else if (name == "mss") {
      o.kind = Kind::kMss;
      absl::StatusOr<uint32_t> v = TakeUnsigned("mss value", kU16Max);
      if (!v.ok()) return v.status();
      o.value = *v;
    } else if (name == "wscale") {
      o.kind = Kind::kWindowScale;
      absl::StatusOr<uint32_t> v = TakeUnsigned("window scale shift count", 0xff);
      if (!v.ok()) return v.status();
      o.value = *v;
    } else if (name == "sack") {
      o.kind = Kind::kSack;
      do {
        absl::StatusOr<uint32_t> left = TakeUnsigned("TCP SACK left sequence number", kU32Max);
        if (!left.ok()) return left.status();
        if (absl::Status s = ExpectPunct(':'); !s.ok()) return s;
        absl::StatusOr<uint32_t> right = TakeUnsigned("TCP SACK right sequence number", kU32Max);
        if (!right.ok()) return right.status();
        o.sack_blocks.emplace_back(*left, *right);
      } while (Peek().kind == TokenKind::kInteger);
    } else if (name == "TS") {
      o.kind = Kind::kTimestamp;
      if (absl::Status s = ExpectWord("val"); !s.ok()) return s;
      absl::StatusOr<uint32_t> val = TakeUnsigned("ts val", kU32Max);
      if (!val.ok()) return val.status();
      if (absl::Status s = ExpectWord("ecr"); !s.ok()) return s;
      absl::StatusOr<uint32_t> ecr = TakeUnsigned("ecr val", kU32Max);
      if (!ecr.ok()) return ecr.status();
      o.ts_val = *val;
      o.ts_ecr = *ecr;
    } else if (name == "FO" || name == "FOEXP" || name == "md5") {
      o.kind = name == "FO" ? Kind::kFastOpen : name == "FOEXP" ? Kind::kFastOpenExp : Kind::kMd5;
      const Token& blob = Peek();
      if (blob.kind == TokenKind::kWord || blob.kind == TokenKind::kInteger ||
          blob.kind == TokenKind::kHexInteger) {
        o.text = Take().text;
      } else if (name == "md5") {
        return Expected("an md5 digest in hex");
      }
    } else {
      o.kind = Kind::kUnknown;
      std::vector<std::string> words = {name};
      while (!Peek().IsPunct(',') && !Peek().IsPunct('>')) {
        if (Peek().kind == TokenKind::kEnd) return Expected("'>' closing the TCP options");
        words.push_back(Take().text);
      }
      o.text = absl::StrJoin(words, " ");
    }
    return o;
  }

  absl::Status ParseIcmp(IcmpSpec* icmp) {
    if (Peek().kind != TokenKind::kWord) return Expected("an ICMP type");
    icmp->type = Take().text;
    if (Peek().kind == TokenKind::kWord && !Peek().IsWord("mtu") && !Peek().IsWord("id")) {
      icmp->code = Take().text;
    }
    if (Peek().IsWord("mtu")) {
      Take();
      absl::StatusOr<uint32_t> v = TakeUnsigned("ICMP mtu", kU32Max);
      if (!v.ok()) return v.status();
      icmp->mtu = *v;
    }
    if (Peek().IsWord("id")) {
      Take();
      absl::StatusOr<uint32_t> v = TakeUnsigned("ICMP echo id", kU16Max);
      if (!v.ok()) return v.status();
      icmp->echo_id = *v;
    }
    if (!Peek().IsPunct('[')) return absl::OkStatus();
    Take();
    if (Peek().IsWord("udp") || Peek().IsWord("raw")) {
      icmp->echoed_protocol = Take().text;
      if (absl::Status s = ExpectPunct('('); !s.ok()) return s;
      absl::StatusOr<uint32_t> len = TakeUnsigned("payload size", kU16Max);
      if (!len.ok()) return len.status();
      icmp->echoed_len = *len;
      if (absl::Status s = ExpectPunct(')'); !s.ok()) return s;
    } else {
      icmp->echoed_protocol = "tcp";
      absl::StatusOr<uint32_t> start = TakeUnsigned("TCP start sequence number", kU32Max);
      if (!start.ok()) return start.status();
      if (absl::Status s = ExpectPunct(':'); !s.ok()) return s;
      absl::StatusOr<uint32_t> end = TakeUnsigned("TCP end sequence number", kU32Max);
      if (!end.ok()) return end.status();
      if (absl::Status s = ExpectPunct('('); !s.ok()) return s;
      absl::StatusOr<uint32_t> len = TakeUnsigned("TCP payload size", kU16Max);
      if (!len.ok()) return len.status();
      if (absl::Status s = ExpectPunct(')'); !s.ok()) return s;
      icmp->echoed_seq = *start;
      icmp->echoed_len = *len;
    }
    return ExpectPunct(']');
  }

  // --- System calls ----------------------------------------------------------------------

  absl::StatusOr<SyscallSpec> ParseSyscall() {
    SyscallSpec s;
    if (Peek().kind == TokenKind::kEllipsis) {
      Take();
      absl::StatusOr<Duration> end = TakeTime();
      if (!end.ok()) return end.status();
      s.end_time = *end;
    }
    if (Peek().kind != TokenKind::kWord) return Expected("a system call name");
    s.name = Take().text;
    if (absl::Status st = ExpectPunct('('); !st.ok()) return st;
    absl::StatusOr<std::vector<Expression>> args = ParseExpressionList(')');
    if (!args.ok()) return args.status();
    s.args = *std::move(args);
    if (absl::Status st = ExpectPunct('='); !st.ok()) return st;
    absl::StatusOr<Expression> result = ParseExpression(/*allow_call=*/false);
    if (!result.ok()) return result.status();
    s.result = *std::move(result);
    if (Peek().kind == TokenKind::kWord) {
      s.errno_name = Take().text;
    }
    if (Peek().IsPunct('(')) {
      absl::StatusOr<std::string> note = ParseNote();
      if (!note.ok()) return note.status();
      s.note = *std::move(note);
    }
    return s;
  }

  absl::StatusOr<std::string> ParseNote() {
    Take();  // '('
    std::vector<std::string> words;
    while (!Peek().IsPunct(')')) {
      if (Peek().kind == TokenKind::kEnd) return Expected("')' closing the note");
      words.push_back(Take().text);
    }
    Take();
    return absl::StrJoin(words, " ");
  }

  // Expressions separated by ',' up to (and consuming) `close`.
  absl::StatusOr<std::vector<Expression>> ParseExpressionList(char close) {
    std::vector<Expression> items;
    if (Peek().IsPunct(close)) {
      Take();
      return items;
    }
    while (true) {
      absl::StatusOr<Expression> e = ParseExpression(/*allow_call=*/true);
      if (!e.ok()) return e.status();
      items.push_back(*std::move(e));
      if (Peek().IsPunct(',')) {
        Take();
        continue;
      }
      if (absl::Status s = ExpectPunct(close); !s.ok()) return s;
      return items;
    }
  }

  absl::StatusOr<Expression> ParseExpression(bool allow_call) {
    absl::StatusOr<Expression> first = ParsePrimary(allow_call);
    if (!first.ok() || !Peek().IsPunct('|')) return first;
    Expression bit_or;
    bit_or.kind = Expression::Kind::kBitOr;
    bit_or.location = first->location;
    bit_or.items.push_back(*std::move(first));
    while (Peek().IsPunct('|')) {
      Take();
      absl::StatusOr<Expression> next = ParsePrimary(allow_call);
      if (!next.ok()) return next.status();
      bit_or.items.push_back(*std::move(next));
    }
    return bit_or;
  }

  absl::StatusOr<Expression> ParsePrimary(bool allow_call) {
    Expression e;
    const Token& t = Peek();
    e.location = t.location;
    switch (t.kind) {
      case TokenKind::kEllipsis:
        Take();
        e.kind = Expression::Kind::kEllipsis;
        return e;
      case TokenKind::kInteger:
      case TokenKind::kHexInteger:
        e.kind = Expression::Kind::kInteger;
        e.integer = t.value;
        e.hex = t.kind == TokenKind::kHexInteger;
        Take();
        return e;
      case TokenKind::kString:
        e.kind = Expression::Kind::kString;
        while (Peek().kind == TokenKind::kString) absl::StrAppend(&e.text, Take().text);
        if (Peek().kind == TokenKind::kEllipsis) {
          Take();
          e.string_ellipsis = true;
        }
        return e;
      case TokenKind::kWord:
        break;
      case TokenKind::kPunct:
        if (t.IsPunct('[') || t.IsPunct('{')) {
          const char close = t.IsPunct('[') ? ']' : '}';
          e.kind = t.IsPunct('[') ? Expression::Kind::kList : Expression::Kind::kStruct;
          Take();
          absl::StatusOr<std::vector<Expression>> items = ParseExpressionList(close);
          if (!items.ok()) return items.status();
          e.items = *std::move(items);
          return e;
        }
        return Expected("an expression");
      default:
        return Expected("an expression");
    }
    // A word: maybe a call, maybe the left side of an assignment.
    e.kind = Expression::Kind::kWord;
    e.text = Take().text;
    if (Peek().IsPunct('(') && (allow_call || IsCallName(e.text))) {
      Take();
      absl::StatusOr<std::vector<Expression>> args = ParseExpressionList(')');
      if (!args.ok()) return args.status();
      e.kind = Expression::Kind::kCall;
      e.items = *std::move(args);
    }
    if (Peek().IsPunct('=') && allow_call) {
      Take();
      absl::StatusOr<Expression> rhs = ParseExpression(allow_call);
      if (!rhs.ok()) return rhs.status();
      Expression assign;
      assign.kind = Expression::Kind::kAssign;
      assign.location = e.location;
      assign.items.push_back(std::move(e));
      assign.items.push_back(*std::move(rhs));
      return assign;
    }
    return e;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::string path_;
};

}  // namespace

absl::StatusOr<Duration> ParseSeconds(absl::string_view text) {
  if (text.empty() || text[0] == '-') {
    return absl::InvalidArgumentError(absl::StrCat("negative or empty time: ", text));
  }
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view frac = dot == absl::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.size() > 9 || (whole.empty() && frac.empty())) {
    return absl::InvalidArgumentError(absl::StrCat("bad time: ", text));
  }
  int64_t nanos = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return absl::InvalidArgumentError(absl::StrCat("bad time: ", text));
    nanos = nanos * 10 + (c - '0');
  }
  nanos *= 1000 * 1000 * 1000;
  int64_t scale = 100 * 1000 * 1000;
  for (char c : frac) {
    if (c < '0' || c > '9') return absl::InvalidArgumentError(absl::StrCat("bad time: ", text));
    nanos += (c - '0') * scale;
    scale /= 10;
  }
  return Duration::Nanos(nanos);
}

absl::StatusOr<Script> ParseScript(absl::string_view text, absl::string_view path) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(text);
  if (!tokens.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", tokens.status().message()));
  }
  return Parser(*std::move(tokens), path).Run();
}

absl::StatusOr<Script> ParseScriptFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::ostringstream contents;
  contents << in.rdbuf();
  return ParseScript(contents.str(), path);
}

}  // namespace tcpaas::conformance
