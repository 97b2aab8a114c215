// Test harness for the TCP layer (tests only; header-only so the library glob skips it).
//
// A TcpLayer on top of a FakeIpSender that captures every segment it sends, driven in
// virtual time, plus segment templates so a test reads like a packet trace:
//
//   Harness h;
//   ConnId c = h.Connect();                                   // we send SYN
//   h.ExpectSent(Syn().Seq(h.iss()).Mss(1460).SackOk().Ts().Ws(3));
//   h.Inject(SynAck().Seq(5000).Ack(h.iss() + 1).Win(65535).Mss(1460));
//   h.ExpectSent(Ack().Seq(h.iss() + 1).Ack(5001));
//   h.AdvanceTime(Duration::Millis(200));
//
// Templates leave every field open unless set; ExpectSent() compares only what was set
// (flags always, PSH only when the template says Psh()).
#ifndef TCPAAS_STACK_TCP_TESTING_HARNESS_H_
#define TCPAAS_STACK_TCP_TESTING_HARNESS_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "stack/base/counters.h"
#include "stack/base/packet_buffer.h"
#include "stack/base/time.h"
#include "stack/ip/transport.h"
#include "stack/tcp/tcp_layer.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace tcpaas::tcp::testing {

inline constexpr Ipv4Address kLocalAddr = Ipv4Address::FromOctets(198, 18, 0, 2);
inline constexpr Ipv4Address kRemoteAddr = Ipv4Address::FromOctets(198, 18, 0, 1);
inline constexpr Port kLocalPort = Port(40000);
inline constexpr Endpoint kRemote{kRemoteAddr, Port(80)};

// One segment the layer handed to IP, parsed back.
struct SentSegment {
  Ipv4Address src;
  Ipv4Address dst;
  wire::TcpHeader header;
  std::vector<uint8_t> payload;
  Instant at;
  bool checksum_ok = false;

  SeqNum seq() const { return header.seq; }
  SeqNum ack() const { return header.ack; }
  uint8_t flags() const { return header.flags; }
  bool has(uint8_t f) const { return (header.flags & f) != 0; }
  std::string payload_string() const { return std::string(payload.begin(), payload.end()); }

  std::string ToString() const {
    std::ostringstream os;
    os << "[" << wire::TcpFlagsToString(header.flags) << "] seq " << header.seq.raw();
    if (has(wire::tcp_flags::kAck)) os << " ack " << header.ack.raw();
    os << " win " << header.window;
    const wire::TcpOptions& o = header.options;
    std::string opts;
    if (o.mss) opts += " mss " + std::to_string(*o.mss);
    if (o.sack_permitted) opts += " sackOK";
    if (o.timestamps) {
      opts += " TS val " + std::to_string(o.timestamps->val) + " ecr " +
              std::to_string(o.timestamps->ecr);
    }
    if (o.window_scale) opts += " wscale " + std::to_string(*o.window_scale);
    for (int i = 0; i < o.sack_count; ++i) {
      opts += " sack " + std::to_string(o.sack_blocks[i].left.raw()) + ":" +
              std::to_string(o.sack_blocks[i].right.raw());
    }
    if (!opts.empty()) os << " <" << opts.substr(1) << ">";
    os << " len " << payload.size();
    return os.str();
  }
};

// An IpSender that keeps what is sent (or hands it to `deliver`, for back-to-back tests).
class FakeIpSender : public ip::IpSender {
 public:
  explicit FakeIpSender(Ipv4Address local = kLocalAddr, size_t mtu = 1500)
      : local_(local), mtu_(mtu) {}

  Ipv4Address local_address() const override { return local_; }
  size_t MaxPayload(Ipv4Address dst) const override {
    auto it = path_mtu_.find(dst);
    return (it != path_mtu_.end() ? it->second : mtu_) - 20;
  }
  PacketBuffer AllocPacket() override {
    return PacketBuffer(kDefaultHeadroom + mtu_, kDefaultHeadroom);
  }
  absl::Status SendIpv4(Ipv4Address dst, uint8_t protocol, PacketBuffer packet,
                        Instant now) override {
    EXPECT_EQ(protocol, ip::kProtoTcp);
    EXPECT_LE(packet.size(), MaxPayload(dst)) << "segment larger than the path allows";
    if (!fail_with.ok()) return fail_with;
    if (deliver) {
      deliver(local_, dst, std::vector<uint8_t>(packet.bytes().begin(), packet.bytes().end()), now);
      return absl::OkStatus();
    }
    SentSegment s;
    s.src = local_;
    s.dst = dst;
    s.at = now;
    s.checksum_ok = wire::TcpChecksumOk(local_, dst, packet.bytes());
    auto view = wire::TcpHeaderView::Parse(packet.bytes());
    EXPECT_TRUE(view.has_value()) << "unparseable segment";
    if (view) {
      s.header = wire::TcpHeader::FromView(*view);
      s.payload.assign(view->payload().begin(), view->payload().end());
    }
    EXPECT_TRUE(s.checksum_ok) << "bad checksum on " << s.ToString();
    sent.push_back(std::move(s));
    return absl::OkStatus();
  }

  void SetPathMtu(Ipv4Address dst, size_t mtu) { path_mtu_[dst] = mtu; }
  // As the IP layer: a checked fragmentation-needed error lowers the path MTU (not below 68).
  void LowerPathMtu(const ip::IcmpError& error, Instant now) override {
    ++path_mtu_reports;
    if (error.next_hop_mtu >= 68 &&
        size_t{error.next_hop_mtu} < MaxPayload(error.original_dst) + 20) {
      path_mtu_[error.original_dst] = error.next_hop_mtu;
    }
  }
  int path_mtu_reports = 0;  // LowerPathMtu calls: errors the connection believed

  std::deque<SentSegment> sent;
  absl::Status fail_with = absl::OkStatus();
  std::function<void(Ipv4Address src, Ipv4Address dst, const std::vector<uint8_t>& bytes,
                     Instant now)>
      deliver;

 private:
  Ipv4Address local_;
  size_t mtu_;
  absl::flat_hash_map<Ipv4Address, size_t> path_mtu_;
};

// A segment, to inject or to expect. Fields left unset are not checked by ExpectSent().
class SegmentTemplate {
 public:
  explicit SegmentTemplate(uint8_t flags) : flags_(flags) {}

  SegmentTemplate& Seq(SeqNum s) {
    seq_ = s;
    return *this;
  }
  SegmentTemplate& Seq(uint32_t s) { return Seq(SeqNum(s)); }
  SegmentTemplate& Ack(SeqNum a) {
    ack_ = a;
    return *this;
  }
  SegmentTemplate& Ack(uint32_t a) { return Ack(SeqNum(a)); }
  SegmentTemplate& Win(uint16_t w) {
    win_ = w;
    return *this;
  }
  SegmentTemplate& Mss(uint16_t m) {
    mss_ = m;
    return *this;
  }
  SegmentTemplate& Ws(uint8_t shift) {
    ws_ = shift;
    return *this;
  }
  SegmentTemplate& NoWs() {
    no_ws_ = true;
    return *this;
  }
  SegmentTemplate& SackOk() {
    sack_ok_ = true;
    return *this;
  }
  SegmentTemplate& NoSackOk() {
    no_sack_ok_ = true;
    return *this;
  }
  // Timestamps present (values unchecked when expecting; zero when injecting).
  SegmentTemplate& Ts() {
    ts_present_ = true;
    return *this;
  }
  SegmentTemplate& Ts(uint32_t val, uint32_t ecr) {
    ts_present_ = true;
    ts_ = wire::TcpTimestamps{val, ecr};
    return *this;
  }
  SegmentTemplate& TsEcr(uint32_t ecr) {
    ts_present_ = true;
    ts_ecr_ = ecr;
    return *this;
  }
  SegmentTemplate& NoTs() {
    no_ts_ = true;
    return *this;
  }
  SegmentTemplate& Sack(SeqNum left, SeqNum right) {
    sack_.push_back({left, right});
    sack_set_ = true;
    return *this;
  }
  SegmentTemplate& NoSack() {
    sack_set_ = true;
    sack_.clear();
    return *this;
  }
  SegmentTemplate& Psh() {
    flags_ |= wire::tcp_flags::kPsh;
    check_psh_ = true;
    return *this;
  }
  SegmentTemplate& Urg(uint16_t pointer) {
    flags_ |= wire::tcp_flags::kUrg;
    urgent_ = pointer;
    return *this;
  }
  SegmentTemplate& Payload(std::string_view bytes) {
    payload_.assign(bytes.begin(), bytes.end());
    len_ = payload_.size();
    return *this;
  }
  SegmentTemplate& Payload(absl::Span<const uint8_t> bytes) {
    payload_.assign(bytes.begin(), bytes.end());
    len_ = payload_.size();
    return *this;
  }
  // `n` payload bytes ('a', 'b', ... repeating) when injecting; the length when expecting.
  SegmentTemplate& Len(size_t n) {
    payload_.resize(n);
    for (size_t i = 0; i < n; ++i) payload_[i] = static_cast<uint8_t>('a' + i % 26);
    len_ = n;
    return *this;
  }
  SegmentTemplate& From(Endpoint e) {
    from_ = e;
    return *this;
  }
  SegmentTemplate& To(Port p) {
    to_ = p;
    return *this;
  }

  uint8_t flags() const { return flags_; }
  const std::vector<uint8_t>& payload() const { return payload_; }
  std::optional<Endpoint> from() const { return from_; }
  std::optional<Port> to() const { return to_; }

  // The header of this template as sent by the peer.
  wire::TcpHeader ToHeader(Port src, Port dst) const {
    wire::TcpHeader h;
    h.src_port = src;
    h.dst_port = dst;
    h.seq = seq_.value_or(SeqNum(0));
    h.ack = ack_.value_or(SeqNum(0));
    h.flags = flags_;
    h.window = win_.value_or(65535);
    h.urgent_pointer = urgent_;
    h.options.mss = mss_;
    h.options.window_scale = ws_;
    h.options.sack_permitted = sack_ok_;
    if (ts_present_) {
      h.options.timestamps = ts_.value_or(wire::TcpTimestamps{0, ts_ecr_.value_or(0)});
    }
    for (const auto& b : sack_) h.options.AddSackBlock(b);
    return h;
  }

  // Empty when `s` matches; otherwise what differs.
  std::string Mismatch(const SentSegment& s) const {
    std::string why;
    auto add = [&](const std::string& m) { why += (why.empty() ? "" : ", ") + m; };
    const uint8_t mask = check_psh_ ? 0xff : static_cast<uint8_t>(~wire::tcp_flags::kPsh);
    if ((s.flags() & mask) != (flags_ & mask)) {
      add("flags " + wire::TcpFlagsToString(s.flags()) + " != " + wire::TcpFlagsToString(flags_));
    }
    if (seq_ && s.seq() != *seq_) add("seq " + Num(s.seq()) + " != " + Num(*seq_));
    if (ack_ && s.ack() != *ack_) add("ack " + Num(s.ack()) + " != " + Num(*ack_));
    if (win_ && s.header.window != *win_) {
      add("win " + std::to_string(s.header.window) + " != " + std::to_string(*win_));
    }
    const wire::TcpOptions& o = s.header.options;
    if (mss_ && o.mss != mss_) add("mss differs");
    if (ws_ && o.window_scale != ws_) add("wscale differs");
    if (no_ws_ && o.window_scale) add("unexpected wscale");
    if (sack_ok_ && !o.sack_permitted) add("sackOK missing");
    if (no_sack_ok_ && o.sack_permitted) add("unexpected sackOK");
    if (ts_present_ && !o.timestamps) add("timestamps missing");
    if (no_ts_ && o.timestamps) add("unexpected timestamps");
    if (ts_ && o.timestamps && *o.timestamps != *ts_) add("timestamp values differ");
    if (ts_ecr_ && o.timestamps && o.timestamps->ecr != *ts_ecr_) {
      add("TSecr " + std::to_string(o.timestamps->ecr) + " != " + std::to_string(*ts_ecr_));
    }
    if (sack_set_) {
      bool same = o.sack_count == sack_.size();
      for (size_t i = 0; same && i < sack_.size(); ++i) same = o.sack_blocks[i] == sack_[i];
      if (!same) add("SACK blocks differ");
    }
    if (len_ && s.payload.size() != *len_) {
      add("len " + std::to_string(s.payload.size()) + " != " + std::to_string(*len_));
    }
    if (len_ && !payload_.empty() && len_ == s.payload.size() && s.payload != payload_ &&
        !generated_) {
      add("payload differs");
    }
    return why;
  }

  // Len() payloads are generated; only their length is compared.
  SegmentTemplate& GeneratedPayload() {
    generated_ = true;
    return *this;
  }

 private:
  static std::string Num(SeqNum s) { return std::to_string(s.raw()); }

  uint8_t flags_;
  std::optional<SeqNum> seq_;
  std::optional<SeqNum> ack_;
  std::optional<uint16_t> win_;
  std::optional<uint16_t> mss_;
  std::optional<uint8_t> ws_;
  bool no_ws_ = false;
  bool sack_ok_ = false;
  bool no_sack_ok_ = false;
  bool ts_present_ = false;
  bool no_ts_ = false;
  std::optional<wire::TcpTimestamps> ts_;
  std::optional<uint32_t> ts_ecr_;
  std::vector<wire::SackBlock> sack_;
  bool sack_set_ = false;
  bool check_psh_ = false;
  bool generated_ = false;
  uint16_t urgent_ = 0;
  std::vector<uint8_t> payload_;
  std::optional<size_t> len_;
  std::optional<Endpoint> from_;
  std::optional<Port> to_;
};

inline SegmentTemplate Syn() { return SegmentTemplate(wire::tcp_flags::kSyn); }
inline SegmentTemplate SynAck() {
  return SegmentTemplate(wire::tcp_flags::kSyn | wire::tcp_flags::kAck);
}
inline SegmentTemplate Ack() { return SegmentTemplate(wire::tcp_flags::kAck); }
inline SegmentTemplate FinAck() {
  return SegmentTemplate(wire::tcp_flags::kFin | wire::tcp_flags::kAck);
}
inline SegmentTemplate Rst() { return SegmentTemplate(wire::tcp_flags::kRst); }
inline SegmentTemplate RstAck() {
  return SegmentTemplate(wire::tcp_flags::kRst | wire::tcp_flags::kAck);
}
// Data with ACK: `n` generated bytes (only the length is compared when expecting).
inline SegmentTemplate Data(size_t n) {
  return SegmentTemplate(wire::tcp_flags::kAck).Len(n).GeneratedPayload();
}
inline SegmentTemplate Data(std::string_view bytes) {
  return SegmentTemplate(wire::tcp_flags::kAck).Payload(bytes);
}

// Records events.
class EventRecorder : public TcpEventHandler {
 public:
  void OnTcpEvent(const TcpEvent& e) override {
    events.push_back(e);
    if (on_event) on_event(e);
  }
  bool Has(TcpEventType type, ConnId conn) const {
    for (const TcpEvent& e : events) {
      if (e.type == type && e.conn == conn) return true;
    }
    return false;
  }
  size_t Count(TcpEventType type, ConnId conn) const {
    size_t n = 0;
    for (const TcpEvent& e : events) n += e.type == type && e.conn == conn;
    return n;
  }
  std::optional<TcpEvent> Last(TcpEventType type, ConnId conn) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->type == type && it->conn == conn) return *it;
    }
    return std::nullopt;
  }
  std::vector<TcpEvent> events;
  std::function<void(const TcpEvent&)> on_event;
};

// Config for tests: fixed secret, so ISNs and ports are reproducible.
inline TcpConfig TestConfig() {
  TcpConfig c;
  c.secret = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  return c;
}

class Harness {
 public:
  explicit Harness(const TcpConfig& config = TestConfig(), size_t mtu = 1500)
      : ip_(kLocalAddr, mtu), layer_(config, &ip_, &counters_) {
    layer_.SetEventHandler(&events_);
  }

  TcpLayer& layer() { return layer_; }
  FakeIpSender& ip() { return ip_; }
  StackCounters& counters() { return counters_; }
  EventRecorder& events() { return events_; }
  Instant now() const { return now_; }
  // The connection Inject() talks to by default.
  Port local_port() const { return local_port_; }
  Endpoint remote() const { return remote_; }
  void set_peer(Port local, Endpoint remote) {
    local_port_ = local;
    remote_ = remote;
  }

  // Active open from kLocalPort (or `local`) to `remote`; expects success.
  ConnId Connect(Endpoint remote = kRemote, const ConnectionOptions& options = {},
                 Port local = kLocalPort) {
    auto c = layer_.Connect(remote, options, now_, local);
    EXPECT_TRUE(c.ok()) << c.status();
    set_peer(local, remote);
    if (!ip_.sent.empty() && ip_.sent.back().has(wire::tcp_flags::kSyn)) {
      iss_ = ip_.sent.back().seq();
    }
    return c.value_or(ConnId{});
  }
  ListenerId Listen(Port port = Port(80), int backlog = 16, const ConnectionOptions& options = {}) {
    auto l = layer_.Listen(port, backlog, options);
    EXPECT_TRUE(l.ok()) << l.status();
    local_port_ = port;
    return l.value_or(ListenerId{});
  }

  // The ISN of our last SYN or SYN-ACK (taken when it was expected or sent).
  SeqNum iss() const { return iss_; }

  // Sends `t` from the peer to the layer.
  void Inject(const SegmentTemplate& t) {
    const Endpoint from = t.from().value_or(remote_);
    const Port to = t.to().value_or(local_port_);
    InjectBytes(Build(t, from.port, to), from.addr);
  }
  void InjectBytes(const std::vector<uint8_t>& bytes, Ipv4Address from = kRemoteAddr) {
    ip::Ipv4PacketInfo info;
    info.src = from;
    info.dst = kLocalAddr;
    info.protocol = ip::kProtoTcp;
    info.ttl = 64;
    layer_.OnPacket(info, bytes, now_);
  }
  static std::vector<uint8_t> Build(const SegmentTemplate& t, Port src, Port dst,
                                    Ipv4Address from = kRemoteAddr) {
    const wire::TcpHeader h = t.ToHeader(src, dst);
    std::vector<uint8_t> bytes(h.size() + t.payload().size());
    h.WriteTo(bytes.data());
    std::copy(t.payload().begin(), t.payload().end(), bytes.begin() + h.size());
    wire::FillTcpChecksum(from, kLocalAddr, absl::MakeSpan(bytes));
    return bytes;
  }

  // --- Expectations on what the layer sent ------------------------------------------------
  bool HasSent() const { return !ip_.sent.empty(); }
  std::optional<SentSegment> PopSent() {
    if (ip_.sent.empty()) return std::nullopt;
    SentSegment s = std::move(ip_.sent.front());
    ip_.sent.pop_front();
    if (s.has(wire::tcp_flags::kSyn)) iss_ = s.seq();
    return s;
  }
  // Pops the next sent segment and checks it against `t`. Returns it for further checks.
  SentSegment ExpectSent(const SegmentTemplate& t, const std::string& where = "") {
    std::optional<SentSegment> s = PopSent();
    if (!s) {
      ADD_FAILURE() << "expected a segment, nothing was sent " << where << " (t=" << Now() << ")";
      return SentSegment{};
    }
    const std::string why = t.Mismatch(*s);
    EXPECT_TRUE(why.empty()) << "sent " << s->ToString() << ": " << why << " " << where
                             << " (t=" << Now() << ")";
    return *s;
  }
  void ExpectNothingSent(const std::string& where = "") {
    EXPECT_TRUE(ip_.sent.empty()) << "unexpected: " << ip_.sent.front().ToString() << " " << where
                                  << " (t=" << Now() << ")";
    ip_.sent.clear();
  }
  size_t SentCount() const { return ip_.sent.size(); }
  void DropSent() { ip_.sent.clear(); }

  // --- Time -----------------------------------------------------------------------------
  // Moves time forward by `d`, running every timer on its deadline on the way.
  void AdvanceTime(Duration d) { AdvanceTo(now_ + d); }
  void AdvanceTo(Instant target) {
    while (true) {
      const Instant next = layer_.NextDeadline();
      if (next > target) break;
      if (next > now_) now_ = next;
      layer_.Poll(now_);
    }
    now_ = target;
  }
  // Runs timers up to the next deadline (returns false if none is scheduled).
  bool RunNextTimer() {
    const Instant next = layer_.NextDeadline();
    if (next.is_never()) return false;
    if (next > now_) now_ = next;
    layer_.Poll(now_);
    return true;
  }

  // --- Handshakes -------------------------------------------------------------------------
  // Active open completed with a SYN-ACK carrying `synack` (seq/ack filled in when unset).
  ConnId Establish(const ConnectionOptions& options = {}, SeqNum peer_iss = SeqNum(5000),
                   const std::optional<SegmentTemplate>& synack = std::nullopt) {
    const ConnId c = Connect(kRemote, options);
    ExpectSent(Syn());
    SegmentTemplate sa = synack.value_or(SynAck().Win(65535).Mss(1460).SackOk().Ws(7).Ts(1, 0));
    sa.Seq(peer_iss).Ack(iss_ + 1);
    Inject(sa);
    ExpectSent(Ack().Seq(iss_ + 1).Ack(peer_iss + 1));
    peer_iss_ = peer_iss;
    return c;
  }
  // Passive open on `port`: SYN in, SYN-ACK out, ACK in, accepted.
  ConnId AcceptOne(ListenerId l, SeqNum peer_iss = SeqNum(5000),
                   const std::optional<SegmentTemplate>& syn = std::nullopt) {
    SegmentTemplate s = syn.value_or(Syn().Win(65535).Mss(1460).SackOk().Ws(7).Ts(1, 0));
    s.Seq(peer_iss);
    Inject(s);
    SentSegment sa = ExpectSent(SynAck().Ack(peer_iss + 1));
    iss_ = sa.seq();
    SegmentTemplate ack = Ack().Seq(peer_iss + 1).Ack(iss_ + 1).Win(65535);
    if (sa.header.options.timestamps) ack.Ts(2, sa.header.options.timestamps->val);
    Inject(ack);
    auto c = layer_.Accept(l);
    EXPECT_TRUE(c.has_value()) << "no connection to accept";
    peer_iss_ = peer_iss;
    return c.value_or(ConnId{});
  }
  SeqNum peer_iss() const { return peer_iss_; }

  TcpState State(ConnId c) const {
    auto s = layer_.GetStats(c);
    return s.ok() ? s->state : TcpState::kClosed;
  }
  TcpStats Stats(ConnId c) const {
    auto s = layer_.GetStats(c);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.value_or(TcpStats{});
  }
  size_t SendString(ConnId c, std::string_view data) {
    auto n = layer_.Send(
        c, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(data.data()), data.size()), now_);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(0);
  }
  std::string RecvString(ConnId c, size_t max = 1 << 20, bool* eof = nullptr) {
    std::string out(max, '\0');
    auto r =
        layer_.Recv(c, absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), out.size()), now_);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "";
    out.resize(r->bytes);
    if (eof != nullptr) *eof = r->eof;
    return out;
  }

 private:
  std::string Now() const { return (now_ - Instant::Zero()).ToString(); }

  FakeIpSender ip_;
  StackCounters counters_;
  TcpLayer layer_;
  EventRecorder events_;
  Instant now_ = Instant::Zero() + Duration::Seconds(1000);
  Port local_port_ = kLocalPort;
  Endpoint remote_ = kRemote;
  SeqNum iss_;
  SeqNum peer_iss_;
};

}  // namespace tcpaas::tcp::testing

#endif  // TCPAAS_STACK_TCP_TESTING_HARNESS_H_
