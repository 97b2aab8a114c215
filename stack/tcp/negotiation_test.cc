// Option negotiation (RFC 9293 §3.7.1, RFC 7323 §2 and §3, RFC 2018 §2), the ephemeral port
// search (RFC 6056 §3.3.3), SACK block order (RFC 2018 §4), the challenge ACK budget
// (RFC 5961 §7) and segment parsing.
#include <set>

#include "gtest/gtest.h"
#include "stack/tcp/challenge_ack_limiter.h"
#include "stack/tcp/options_negotiation.h"
#include "stack/tcp/port_allocator.h"
#include "stack/tcp/sack_history.h"
#include "stack/tcp/segment.h"
#include "stack/tcp/testing/harness.h"

namespace tcpaas::tcp {
namespace {

TEST(Negotiation, LocalMssAndWindowShift) {
  EXPECT_EQ(LocalMss(1480, 0), 1460);
  EXPECT_EQ(LocalMss(1480, 1000), 1000);
  EXPECT_EQ(LocalMss(8980, 0), 8960);
  EXPECT_EQ(LocalMss(30, 0), kMinSendMss);
  EXPECT_EQ(ReceiveWindowShift(65535), 0);
  EXPECT_EQ(ReceiveWindowShift(65536), 1);
  EXPECT_EQ(ReceiveWindowShift(256 * 1024), 3);
  EXPECT_EQ(ReceiveWindowShift(size_t{1} << 30), 14);
  EXPECT_EQ(ReceiveWindowShift(size_t{1} << 40), 14);
}

struct NegotiationCase {
  const char* name;
  bool ws, ts, sack;      // what we allow
  wire::TcpOptions peer;  // what the peer's SYN carried
  bool want_ws, want_ts, want_sack;
  uint8_t want_snd_shift;
  uint16_t want_peer_mss;
};
void PrintTo(const NegotiationCase& c, std::ostream* os) { *os << c.name; }

wire::TcpOptions PeerOptions(std::optional<uint16_t> mss, std::optional<uint8_t> ws, bool ts,
                             bool sack) {
  wire::TcpOptions o;
  o.mss = mss;
  o.window_scale = ws;
  if (ts) o.timestamps = wire::TcpTimestamps{1, 0};
  o.sack_permitted = sack;
  return o;
}

class NegotiationTable : public ::testing::TestWithParam<NegotiationCase> {};

TEST_P(NegotiationTable, BothSidesMustOffer) {
  const NegotiationCase& c = GetParam();
  ConnectionOptions o;
  o.window_scale = c.ws;
  o.timestamps = c.ts;
  o.sack = c.sack;
  const SynOffer active = ActiveOffer(o, 1460, 3);
  const Negotiated n = Negotiate(active, c.peer);
  EXPECT_EQ(n.window_scale, c.want_ws);
  EXPECT_EQ(n.timestamps, c.want_ts);
  EXPECT_EQ(n.sack, c.want_sack);
  EXPECT_EQ(n.snd_shift, c.want_snd_shift);
  EXPECT_EQ(n.rcv_shift, c.want_ws ? 3 : 0);
  EXPECT_EQ(n.peer_mss, c.want_peer_mss);
  // A passive open answers with exactly the agreed set.
  const SynOffer passive = PassiveOffer(o, 1460, 3, c.peer);
  EXPECT_EQ(passive.window_scale, c.want_ws);
  EXPECT_EQ(passive.timestamps, c.want_ts);
  EXPECT_EQ(passive.sack_permitted, c.want_sack);
  const wire::TcpOptions syn = SynOptions(passive, 7, 9);
  EXPECT_EQ(syn.mss, 1460);
  EXPECT_EQ(syn.window_scale.has_value(), c.want_ws);
  EXPECT_EQ(syn.timestamps.has_value(), c.want_ts);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NegotiationTable,
    ::testing::Values(
        NegotiationCase{"All", true, true, true, PeerOptions(1400, 7, true, true), true, true, true,
                        7, 1400},
        NegotiationCase{"PeerNone", true, true, true, PeerOptions(std::nullopt, {}, false, false),
                        false, false, false, 0, 536},
        NegotiationCase{"WeNone", false, false, false, PeerOptions(1400, 7, true, true), false,
                        false, false, 0, 1400},
        NegotiationCase{"ShiftClampedTo14", true, false, false, PeerOptions(1400, 15, false, false),
                        true, false, false, 14, 1400},
        NegotiationCase{"ZeroMssMeans536", true, true, true, PeerOptions(0, 0, true, false), true,
                        true, false, 0, 536}),
    [](const ::testing::TestParamInfo<NegotiationCase>& info) { return info.param.name; });

TEST(Negotiation, SendMssIsTheSmallestOfPeerPathAndClamp) {
  EXPECT_EQ(SendMss(1460, 1480, 0), 1460);
  EXPECT_EQ(SendMss(9000, 1480, 0), 1460);
  EXPECT_EQ(SendMss(1000, 1480, 0), 1000);
  EXPECT_EQ(SendMss(1460, 1480, 1200), 1200);
  EXPECT_EQ(SendMss(1, 1480, 0), kMinSendMss);
}

TEST(PortAllocator, VisitsEveryPortOnceThenGivesUp) {
  PortAllocator ports(Port(1000), Port(1009));
  std::set<uint16_t> seen;
  const std::optional<Port> none = ports.Allocate(12345, [&](Port p) {
    EXPECT_GE(p.value(), 1000);
    EXPECT_LE(p.value(), 1009);
    seen.insert(p.value());
    return false;
  });
  EXPECT_FALSE(none.has_value());
  EXPECT_EQ(seen.size(), 10u);
  // The counter advances, so two searches with the same offset start at different ports.
  PortAllocator fresh(Port(1000), Port(1009));
  const Port a = *fresh.Allocate(7, [](Port) { return true; });
  const Port b = *fresh.Allocate(7, [](Port) { return true; });
  EXPECT_NE(a, b);
}

TEST(SackHistory, NewestBlockFirstThenRecentOnes) {
  SackHistory history;
  const SeqNum nxt(1000);
  // Ranges as the receive buffer reports them: offsets from RCV.NXT.
  std::vector<ByteRange> ranges = {{100, 200}, {300, 400}, {500, 600}};
  history.OnOutOfOrderSegment(nxt + 300, nxt + 400);
  history.OnOutOfOrderSegment(nxt + 100, nxt + 200);
  history.OnOutOfOrderSegment(nxt + 500, nxt + 600);
  wire::TcpOptions o;
  history.Fill(nxt, ranges, 3, std::nullopt, &o);
  ASSERT_EQ(o.sack_count, 3);
  EXPECT_EQ(o.sack_blocks[0], (wire::SackBlock{nxt + 500, nxt + 600}));
  EXPECT_EQ(o.sack_blocks[1], (wire::SackBlock{nxt + 100, nxt + 200}));
  EXPECT_EQ(o.sack_blocks[2], (wire::SackBlock{nxt + 300, nxt + 400}));
  history.Fill(nxt, ranges, 2, std::nullopt, &o);
  EXPECT_EQ(o.sack_count, 2);
  // After RCV.NXT passes the first range, it is no longer reported.
  ranges = {{100, 200}, {300, 400}};  // offsets from the new RCV.NXT, 1200
  history.Fill(nxt + 200, ranges, 4, std::nullopt, &o);
  ASSERT_EQ(o.sack_count, 2);
  EXPECT_EQ(o.sack_blocks[0], (wire::SackBlock{nxt + 500, nxt + 600}));
  EXPECT_EQ(o.sack_blocks[1], (wire::SackBlock{nxt + 300, nxt + 400}));
}

TEST(ChallengeAckLimiter, PerSecondBudget) {
  ChallengeAckLimiter limiter(2);
  const Instant t0 = Instant::Zero() + Duration::Seconds(5);
  EXPECT_TRUE(limiter.Allow(t0));
  EXPECT_TRUE(limiter.Allow(t0 + Duration::Millis(10)));
  EXPECT_FALSE(limiter.Allow(t0 + Duration::Millis(999)));
  EXPECT_TRUE(limiter.Allow(t0 + Duration::Seconds(1)));
}

TEST(ParseSegment, ChecksLengthChecksumAndOptions) {
  using testing::Harness;
  ip::Ipv4PacketInfo info;
  info.src = testing::kRemoteAddr;
  info.dst = testing::kLocalAddr;
  std::vector<uint8_t> bytes =
      Harness::Build(testing::Data("hi").Seq(7).Ack(9).Win(100).Mss(1000), Port(1), Port(2));
  ParsedSegment p = ParseSegment(info, bytes);
  ASSERT_TRUE(p.segment.has_value());
  EXPECT_EQ(p.segment->seq, SeqNum(7));
  EXPECT_EQ(p.segment->len(), 2u);
  EXPECT_EQ(p.segment->options.mss, 1000);
  EXPECT_EQ(p.segment->tuple.local, (Endpoint{testing::kLocalAddr, Port(2)}));
  bytes[bytes.size() - 1] ^= 1;
  EXPECT_EQ(ParseSegment(info, bytes).drop_reason, DropReason::kTcpBadChecksum);
  EXPECT_EQ(ParseSegment(info, absl::MakeConstSpan(bytes).first(19)).drop_reason,
            DropReason::kTcpMalformed);
}

}  // namespace
}  // namespace tcpaas::tcp
