#include "tests/conformance/executor.h"

#include <filesystem>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stack/ip/transport.h"
#include "stack/wire/tcp.h"
#include "tests/conformance/icmp_error.h"
#include "tests/conformance/packet_match.h"
#include "tests/conformance/symbols.h"
#include "tests/conformance/tcp_info.h"

namespace tcpaas::conformance {
namespace {

namespace tf = wire::tcp_flags;

// How long past the last acceptable time the runner keeps the stack running to say when an
// expected packet did come, or that none came.
constexpr Duration kLateLookahead = Duration::Seconds(60);
// packetdrill's await_idle_thread(): a new call waits at most this long for a blocking one.
constexpr Duration kBlockingWait = Duration::Seconds(1);
// Deadlines that do not move the clock: more than this many in a row is a stack bug.
constexpr int kMaxPollsAtOneInstant = 100000;

bool IsInboundPacket(const Event& e) {
  const auto* p = std::get_if<PacketSpec>(&e.action);
  return p != nullptr && p->direction == Direction::kInbound;
}

uint8_t InboundTos(const IpInfo& ip) {
  uint8_t tos = ip.tos.value_or(0);
  switch (ip.ecn) {
    case EcnSpec::kEct0:
      return static_cast<uint8_t>((tos & ~3) | 2);
    case EcnSpec::kEct1:
      return static_cast<uint8_t>((tos & ~3) | 1);
    case EcnSpec::kCe:
      return static_cast<uint8_t>(tos | 3);
    default:
      return tos;
  }
}

// The TcpConfig fields a mid-script command could change, other than the path MTU.
bool SameStackSettings(const ScriptSetup& a, const ScriptSetup& b) {
  const tcp::ConnectionOptions& x = a.tcp.defaults;
  const tcp::ConnectionOptions& y = b.tcp.defaults;
  return x.send_buffer_bytes == y.send_buffer_bytes && x.recv_buffer_bytes == y.recv_buffer_bytes &&
         x.window_scale_buffer_bytes == y.window_scale_buffer_bytes && x.sack == y.sack &&
         x.timestamps == y.timestamps && x.window_scale == y.window_scale &&
         x.mss_clamp == y.mss_clamp && x.congestion_control == y.congestion_control &&
         x.keepalive_idle == y.keepalive_idle && x.keepalive_interval == y.keepalive_interval &&
         x.keepalive_probes == y.keepalive_probes && a.tcp.syn_retries == b.tcp.syn_retries &&
         a.tcp.synack_retries == b.tcp.synack_retries && a.tcp.retries2 == b.tcp.retries2 &&
         a.tcp.fin_wait2_timeout == b.tcp.fin_wait2_timeout &&
         a.tcp.initial_window_segments == b.tcp.initial_window_segments &&
         a.tcp.challenge_ack_per_second == b.tcp.challenge_ack_per_second;
}

tcp::TcpConfig StackConfig(const ScriptSetup& setup) {
  tcp::TcpConfig config = setup.tcp;
  config.secret = {0x7463706161732d63ULL, 0x6f6e666f726d616eULL};  // fixed: runs repeat
  return config;
}

std::string ResultText(const CallResult& r) {
  if (r.ret == -1 && r.err != 0) return absl::StrCat("-1 (", ErrnoName(r.err), ")");
  return absl::StrCat(r.ret);
}

}  // namespace

Executor::Executor(const Script& script, const ScriptSetup& setup, std::vector<std::string>* log)
    : script_(script),
      setup_(setup),
      log_(log),
      rule_{setup.tolerance, setup.tolerance_percent},
      ip_(setup.local_ip, setup.mtu),
      tcp_(std::make_unique<tcp::TcpLayer>(StackConfig(setup), &ip_, &counters_)),
      conn_(setup.local_ip, setup.remote_ip, Port(setup.bind_port)),
      sockets_(tcp_.get(), &setup_, &conn_) {}

Executor::~Executor() = default;

void Executor::Fail(int line, std::string message) {
  if (!verdict_) verdict_ = Verdict::Fail(line, std::move(message));
}

void Executor::Unsupported(int line, absl::string_view reason) {
  if (!verdict_) verdict_ = Verdict::Unsupported(absl::StrCat("line ", line, ": ", reason));
}

void Executor::Log(absl::string_view line) {
  if (log_ != nullptr) log_->push_back(absl::StrCat(SecondsText(now_), " ", line));
}

Verdict Executor::Run() {
  std::optional<Instant> previous;  // script time of the previous event
  const Event* previous_event = nullptr;
  for (const Event& e : script_.events) {
    current_line_ = e.location.line;
    // run.c get_next_event(): the first event's time must be 0 ("0" or "+0").
    if (previous_event == nullptr && e.time.start != Duration::Zero()) {
      Fail(e.location.line, "first event should be at time 0");
      break;
    }
    const bool relative = e.time.kind == TimeKind::kRelative ||
                          e.time.kind == TimeKind::kRelativeRange || e.time.kind == TimeKind::kAny;
    // Consecutive inbound packets count from the previous one's script time; everything
    // else from when the previous event finished (run.c adjust_relative_event_times()).
    Instant base = Instant::Zero();
    if (relative) {
      base = (previous_event != nullptr && IsInboundPacket(*previous_event) && IsInboundPacket(e))
                 ? *previous
                 : now_;
    }
    ExpectedTime when{e.time.kind, base + e.time.start, base + e.time.end};
    if (!relative && previous_event != nullptr &&
        previous_event->time.kind == TimeKind::kAbsolute && when.start < *previous) {
      Fail(e.location.line, absl::StrCat("time goes backward in script from ",
                                         SecondsText(*previous), " to ", SecondsText(when.start)));
      break;
    }
    if (!RunEvent(e, when, previous, base) || stopped()) break;
    previous = when.start;
    previous_event = &e;
  }
  if (!stopped() && pending_ && !pending_->done) {
    const Pending p = *pending_;
    if (!AdvanceUntil(now_ + kBlockingWait, [this] { return !pending_ || pending_->done; }) &&
        !stopped()) {
      Fail(p.event->location.line,
           absl::StrCat(p.call->name, "(): exiting while a blocking system call is in progress"));
    }
  }
  if (!verdict_) verdict_ = code_failure_;
  if (!verdict_) verdict_ = code_unsupported_;
  if (!verdict_) verdict_ = Verdict::Pass();
  return *verdict_;
}

bool Executor::RunEvent(const Event& e, const ExpectedTime& when, std::optional<Instant> previous,
                        Instant base) {
  if (const auto* p = std::get_if<PacketSpec>(&e.action)) {
    if (p->direction == Direction::kOutbound) return ExpectPacket(e, *p, when, previous);
  }
  // Everything but an outbound packet waits for its time, then checks it is not late.
  Advance(when.start);
  if (stopped()) return false;
  if (previous) {
    if (auto err = VerifyTime(rule_, {TimeKind::kAbsolute, when.start, when.start}, now_, previous,
                              "event")) {
      Fail(e.location.line, *err);
      return false;
    }
  }
  if (const auto* p = std::get_if<PacketSpec>(&e.action)) return InjectPacket(e, *p);
  if (const auto* s = std::get_if<SyscallSpec>(&e.action)) return StartSyscall(e, *s, base);
  if (const auto* c = std::get_if<CommandSpec>(&e.action)) return RunCommand(e, *c);
  RunCode(e, std::get<CodeSpec>(e.action));
  return !stopped();
}

void Executor::RunCode(const Event& e, const CodeSpec& code) {
  std::optional<tcp::TcpStats> stats;
  if (std::optional<tcp::ConnId> id = sockets_.last_connection()) {
    absl::StatusOr<tcp::TcpStats> st = tcp_->GetStats(*id);
    if (st.ok()) stats = *st;
  }
  const CodeBlockEvaluator::Result r = code_.Run(code.text, [&](absl::string_view name) {
    std::optional<int64_t> v;
    if (absl::StartsWith(name, "tcpi_")) {
      if (stats) v = TcpInfoField(name, *stats, now_);
    } else {
      v = SymbolValue(name);
    }
    return v;
  });
  Log(absl::StrCat("line ", e.location.line, ": %{ }%: ",
                   r.kind == CodeBlockEvaluator::Result::Kind::kOk ? "ok" : r.message));
  if (r.kind == CodeBlockEvaluator::Result::Kind::kAssertionFailed && !code_failure_) {
    code_failure_ = Verdict::Fail(e.location.line, r.message);
  }
  if (r.kind == CodeBlockEvaluator::Result::Kind::kUnsupported && !code_unsupported_) {
    code_unsupported_ =
        Verdict::Unsupported(absl::StrCat("line ", e.location.line, ": %{ }%: ", r.message));
  }
}

bool Executor::InjectPacket(const Event& e, const PacketSpec& p) {
  if (p.protocol == PacketSpec::Protocol::kIcmp) return InjectIcmp(e, p);
  absl::StatusOr<SegmentFields> fields = conn_.MapInbound(p, setup_.ts_ecr_scaled);
  if (!fields.ok()) {
    Fail(e.location.line, absl::StrCat("error handling packet: ", fields.status().message()));
    return false;
  }
  const std::vector<uint8_t> bytes = BuildSegment(*fields, conn_.remote().addr, conn_.local().addr);
  ip::Ipv4PacketInfo info;
  info.src = conn_.remote().addr;
  info.dst = conn_.local().addr;
  info.protocol = ip::kProtoTcp;
  info.ttl = 64;
  info.tos = InboundTos(p.ip);
  Log(absl::StrCat("line ", e.location.line, ": inject ", FormatScriptPacket(p)));
  tcp_->OnPacket(info, bytes, now_);
  AfterStackActivity();
  return !stopped();
}

bool Executor::InjectIcmp(const Event& e, const PacketSpec& p) {
  conn_.OpenForInbound();
  absl::StatusOr<ScriptIcmpError> icmp =
      MakeIcmpError(p.icmp, conn_.local(), conn_.remote(), conn_.LiveLocalSeq(p.icmp.echoed_seq));
  if (!icmp.ok()) {
    if (absl::IsUnimplemented(icmp.status())) {
      Unsupported(e.location.line, icmp.status().message());
    } else {
      Fail(e.location.line, absl::StrCat("error handling packet: ", icmp.status().message()));
    }
    return false;
  }
  icmp->error.original_transport = absl::MakeConstSpan(icmp->quote);
  Log(absl::StrCat("line ", e.location.line, ": inject icmp ", p.icmp.type, " ", p.icmp.code));
  tcp_->OnIcmpError(icmp->error, now_);
  setup_.mtu = ip_.mtu();  // lowered if TCP believed a fragmentation-needed error
  AfterStackActivity();
  return !stopped();
}

std::optional<ObservedSegment> Executor::NextSegment(Instant give_up) {
  int polls_here = 0;
  while (!stopped()) {
    while (!ip_.sent().empty()) {
      ObservedSegment s = std::move(ip_.sent().front());
      ip_.sent().pop_front();
      if (conn_.Claims(s)) return s;
      Log(absl::StrCat("ignored a segment of another connection: ", s.ToString(), " to port ",
                       s.dst_port.value()));
    }
    const Instant next = tcp_->NextDeadline();
    if (next.is_never() || next > give_up) return std::nullopt;
    if (next <= now_) {
      if (++polls_here > kMaxPollsAtOneInstant) {
        Fail(current_line_, "the TCP layer's deadline does not move past its Poll()");
        return std::nullopt;
      }
    } else {
      polls_here = 0;
      now_ = next;
    }
    tcp_->Poll(now_);
    AfterStackActivity();
  }
  return std::nullopt;
}

bool Executor::ExpectPacket(const Event& e, const PacketSpec& p, const ExpectedTime& when,
                            std::optional<Instant> previous) {
  const int line = e.location.line;
  if (absl::Status st = conn_.PrepareOutbound(p); !st.ok()) {
    Fail(line, absl::StrCat("error handling packet: ", st.message()));
    return false;
  }
  const Instant latest = LatestAcceptable(rule_, when, previous);
  const Instant give_up = (latest.is_never() ? now_ : std::max(latest, now_)) + kLateLookahead;
  const std::string script_text = FormatScriptPacket(p);
  std::optional<ObservedSegment> first = NextSegment(give_up);
  if (stopped()) return false;
  if (!first) {
    Fail(line, absl::StrCat("expected outbound packet \"", script_text, "\"",
                            when.kind == TimeKind::kAny ? "" : " at " + SecondsText(when.start),
                            ", got none (the stack sent nothing by ", SecondsText(now_), " sec)"));
    return false;
  }
  // Without --strict_segments, consecutive segments add up to a larger script packet, as
  // packetdrill aggregates the segments a TSO/GSO send is cut into.
  ObservedSegment live = *first;
  while (!setup_.strict_segments && live.payload.size() < p.tcp.payload_len) {
    std::optional<ObservedSegment> more = NextSegment(give_up);
    if (stopped()) return false;
    if (!more) break;
    const uint32_t expected_seq = live.seq + static_cast<uint32_t>(live.payload.size());
    const uint8_t same_bits = static_cast<uint8_t>(~(tf::kFin | tf::kPsh | tf::kCwr));
    if (more->seq != expected_seq || more->ack != live.ack || more->window != live.window ||
        (more->flags & same_bits) != (live.flags & same_bits) ||
        more->header_length != live.header_length) {
      Fail(line,
           absl::StrCat("aggregate candidate does not continue the previous segment: \"",
                        conn_.ForDisplay(live).ToString(), "\" then \"",
                        conn_.ForDisplay(*more).ToString(), "\" (script \"", script_text, "\")"));
      return false;
    }
    live.payload.insert(live.payload.end(), more->payload.begin(), more->payload.end());
    live.flags = static_cast<uint8_t>((live.flags & same_bits) |
                                      (more->flags & (tf::kFin | tf::kPsh | tf::kCwr)));
  }
  Log(absl::StrCat("line ", line, ": sent ", conn_.ForDisplay(live).ToString(), " (at ",
                   SecondsText(live.at), ")"));
  if (live.payload.size() != p.tcp.payload_len) {
    Fail(line, absl::StrCat("expected ", p.tcp.payload_len, " payload bytes, got ",
                            live.payload.size(), " (script \"", script_text, "\", actual \"",
                            conn_.ForDisplay(live).ToString(), "\")"));
    return false;
  }
  const ObservedSegment actual = conn_.ToScriptSpace(p, live);
  if (auto m = CompareOutbound(p, actual, setup_.ts_tick, setup_.tolerance)) {
    Fail(line,
         absl::StrCat(*m, " (script \"", script_text, "\", actual \"> ", actual.ToString(), "\")"));
    return false;
  }
  if (auto err = VerifyTime(rule_, when, first->at, previous, "outbound packet")) {
    Fail(line, absl::StrCat(*err, " (\"", script_text, "\")"));
    return false;
  }
  return true;
}

bool Executor::StartSyscall(const Event& e, const SyscallSpec& call, Instant base) {
  const int line = e.location.line;
  // Only one system call runs at a time: a blocking one holds the next for up to 1 s.
  if (pending_ && !pending_->done) {
    const Pending p = *pending_;
    if (!AdvanceUntil(now_ + kBlockingWait, [this] { return !pending_ || pending_->done; })) {
      if (!stopped()) {
        Fail(p.event->location.line, absl::StrCat(p.call->name, "() was still blocked when line ",
                                                  line, " started (packetdrill waits 1 s for it)"));
      }
      return false;
    }
  }
  pending_.reset();
  Log(absl::StrCat("line ", line, ": ", call.name, "()"));
  const CallResult r = sockets_.Attempt(call, now_, /*first=*/true);
  if (r.kind == CallResult::Kind::kWouldBlock) {
    if (!call.end_time) {
      Fail(line, absl::StrCat(call.name,
                              "() blocked, but the script expects it to return at once "
                              "(a blocking call is written \"...<end time> ",
                              call.name, "(...)\")"));
      return false;
    }
    pending_ = Pending{&e, &call, base + e.time.start, base + *call.end_time, false};
  } else {
    std::optional<Pending> blocking;
    if (call.end_time) {
      blocking = Pending{&e, &call, base + e.time.start, base + *call.end_time, true};
    }
    CheckCall(e, call, r, blocking);
  }
  AfterStackActivity();
  return !stopped();
}

void Executor::CheckCall(const Event& e, const SyscallSpec& call, const CallResult& r,
                         const std::optional<Pending>& blocking) {
  const int line = e.location.line;
  if (r.kind == CallResult::Kind::kUnsupported) {
    Unsupported(line, absl::StrCat(call.name, "(): ", r.message));
    return;
  }
  if (r.kind == CallResult::Kind::kScriptError) {
    Fail(line, absl::StrCat("runtime error in ", call.name, " call: ", r.message));
    return;
  }
  Log(absl::StrCat("line ", line, ": ", call.name, "() = ", ResultText(r)));
  // socket() and accept() return a descriptor the script names; any non-negative one is fine.
  const bool returns_fd = call.name == "socket" || call.name == "accept";
  if (returns_fd && call.result.kind == Expression::Kind::kInteger && call.result.integer >= 0) {
    if (r.ret < 0) {
      Fail(line, absl::StrCat(call.name, "(): expected a file descriptor, got ", ResultText(r)));
      return;
    }
  } else {
    if (call.result.kind != Expression::Kind::kInteger &&
        call.result.kind != Expression::Kind::kWord &&
        call.result.kind != Expression::Kind::kBitOr) {
      Fail(line, absl::StrCat("runtime error in ", call.name, " call: bad result expression ",
                              call.result.ToString()));
      return;
    }
    std::optional<int64_t> want;
    if (call.result.kind == Expression::Kind::kInteger) want = call.result.integer;
    if (call.result.kind == Expression::Kind::kWord) want = SymbolValue(call.result.text);
    if (!want) {
      Unsupported(line, absl::StrCat("result ", call.result.ToString(), " is not known"));
      return;
    }
    if (*want != r.ret) {
      Fail(line, absl::StrCat(call.name, "(): expected result ", *want, ", got ", ResultText(r)));
      return;
    }
  }
  if (call.errno_name) {
    std::optional<int64_t> want_errno = SymbolValue(*call.errno_name);
    if (!want_errno) {
      Unsupported(line, absl::StrCat("errno ", *call.errno_name, " is not known"));
      return;
    }
    const int actual = r.ret == -1 ? r.err : 0;
    if (*want_errno != actual) {
      Fail(line, absl::StrCat(call.name, "(): expected errno ", *call.errno_name, ", got ",
                              actual == 0 ? "none" : ErrnoName(actual)));
      return;
    }
  }
  if (r.output_mismatch) {
    Fail(line, absl::StrCat(call.name, "(): ", *r.output_mismatch));
    return;
  }
  if (blocking) {
    const ExpectedTime end{
        e.time.kind == TimeKind::kRelative ? TimeKind::kRelative : TimeKind::kAbsolute,
        blocking->expected_end, blocking->expected_end};
    if (auto err = VerifyTime(rule_, end, now_, blocking->start, "system call return")) {
      Fail(line, absl::StrCat(call.name, "(): ", *err));
    }
  }
}

bool Executor::RunCommand(const Event& e, const CommandSpec& cmd) {
  ScriptSetup changed = setup_;
  changed.unsupported.reset();
  const std::string dir = std::filesystem::path(script_.path).parent_path().string();
  if (absl::Status s = ApplyShellText(cmd.text, SettingOrigin::kScript, dir, &changed); !s.ok()) {
    Fail(e.location.line, absl::StrCat(s.message()));
    return false;
  }
  if (changed.unsupported) {
    Unsupported(e.location.line, *changed.unsupported);
    return false;
  }
  if (!SameStackSettings(setup_, changed)) {
    Unsupported(e.location.line,
                "a command changes stack settings mid-script; only the path MTU may change");
    return false;
  }
  if (changed.mtu != setup_.mtu) ip_.set_mtu(changed.mtu);
  setup_ = changed;
  return true;
}

void Executor::AfterStackActivity() {
  if (!ip_.error().empty()) {
    Fail(current_line_, ip_.error());
    return;
  }
  if (!pending_ || pending_->done) return;
  const CallResult r = sockets_.Attempt(*pending_->call, now_, /*first=*/false);
  if (r.kind == CallResult::Kind::kWouldBlock) return;
  pending_->done = true;
  const Pending p = *pending_;
  CheckCall(*p.event, *p.call, r, p);
}

void Executor::Advance(Instant target) {
  AdvanceUntil(target, [] { return false; });
  if (!stopped() && now_ < target) now_ = target;
}

bool Executor::AdvanceUntil(Instant limit, const std::function<bool()>& done) {
  int polls_here = 0;
  while (!stopped() && !done()) {
    Instant next = tcp_->NextDeadline();
    if (std::optional<Instant> d = sockets_.PendingDeadline()) next = Earliest(next, *d);
    if (next.is_never() || next > limit) break;
    if (next <= now_) {
      if (++polls_here > kMaxPollsAtOneInstant) {
        Fail(current_line_, "the TCP layer's deadline does not move past its Poll()");
        break;
      }
    } else {
      polls_here = 0;
      now_ = next;
    }
    tcp_->Poll(now_);
    AfterStackActivity();
  }
  return done();
}

}  // namespace tcpaas::conformance
