// Opening connections: active and passive handshakes, option negotiation, simultaneous open,
// refusal, SYN retransmission and timeouts.
#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"

namespace tcpaas::tcp::testing {
namespace {

TEST(Handshake, ActiveOpenSendsSynWithOptionsAndCompletes) {
  Harness h;
  const ConnId c = h.Connect();
  // 256 KiB receive buffer: the smallest shift with 262144 <= 65535 << shift is 3.
  h.ExpectSent(Syn().Mss(1460).SackOk().Ts().Ws(3).Win(65535));
  EXPECT_EQ(h.State(c), TcpState::kSynSent);
  h.Inject(SynAck().Seq(5000).Ack(h.iss() + 1).Win(1000).Mss(1400).SackOk().Ws(2).Ts(77, 0));
  h.ExpectSent(Ack().Seq(h.iss() + 1).Ack(5001).TsEcr(77));
  EXPECT_EQ(h.State(c), TcpState::kEstablished);
  EXPECT_TRUE(h.events().Has(TcpEventType::kEstablished, c));
  const TcpStats s = h.Stats(c);
  EXPECT_EQ(s.snd_wnd, 1000u);  // RFC 7323 §2.2: not scaled in the SYN-ACK
  EXPECT_EQ(s.snd_wscale, 2);
  EXPECT_EQ(s.rcv_wscale, 3);
  EXPECT_EQ(s.snd_mss, 1400u - 12u);  // the peer's MSS less the timestamp option
  EXPECT_TRUE(s.sack_enabled);
  EXPECT_TRUE(s.timestamps_enabled);
  EXPECT_EQ(h.counters().tcp_active_opens, 1u);
}

TEST(Handshake, PassiveOpenAnswersOnlyWithOptionsTheSynCarried) {
  Harness h;
  const ListenerId l = h.Listen(Port(80));
  h.set_peer(Port(80), Endpoint{kRemoteAddr, Port(1234)});
  h.Inject(Syn().Seq(100).Win(8192).Mss(536));
  const SentSegment sa =
      h.ExpectSent(SynAck().Ack(101).Mss(1460).NoTs().NoWs().NoSackOk().Win(65535));
  EXPECT_FALSE(h.layer().Accept(l).has_value());
  h.Inject(Ack().Seq(101).Ack(sa.seq() + 1).Win(8192));
  h.ExpectNothingSent();
  EXPECT_TRUE(h.events().Has(TcpEventType::kAcceptReady, l));
  auto c = h.layer().Accept(l);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(h.events().Has(TcpEventType::kEstablished, *c));
  const TcpStats s = h.Stats(*c);
  EXPECT_EQ(s.state, TcpState::kEstablished);
  EXPECT_EQ(s.snd_mss, 536u);
  EXPECT_FALSE(s.timestamps_enabled);
  EXPECT_EQ(s.snd_wscale, 0);
  EXPECT_EQ(s.snd_wnd, 8192u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
