// Flow control: zero-window probing with backoff (RFC 9293 §3.8.6.1), window updates and
// receiver SWS avoidance (§3.8.6.2.2), sender SWS avoidance (§3.8.6.2.1), window scaling
// (RFC 7323 §2) and a right edge that never moves left.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

class ZeroWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    r_ = ReachState(h_, TcpState::kEstablished);
    // The handshake measured an RTT of 0: RTO = 200 ms (the minimum).
    h_.Inject(Ack().Seq(r_.peer_nxt).Ack(r_.our_nxt).Win(0));
    h_.SendString(r_.conn, "hello");
    h_.ExpectNothingSent("the peer's window is zero");
  }
  SegmentTemplate Probe() { return Ack().Seq(r_.our_nxt - 1).Ack(r_.peer_nxt).Len(0); }
  void PeerAnswers(uint16_t window) {
    h_.Inject(Ack().Seq(r_.peer_nxt).Ack(r_.our_nxt).Win(window));
  }

  Harness h_;
  Reached r_;
};

TEST_F(ZeroWindowTest, ProbesBackOffExponentiallyAndStopWhenTheWindowOpens) {
  Duration expected = Duration::Millis(200);
  for (int i = 0; i < 5; ++i) {
    h_.AdvanceTime(expected - Duration::Millis(1));
    h_.ExpectNothingSent("before the persist timer");
    h_.AdvanceTime(Duration::Millis(1));
    h_.ExpectSent(Probe(), "probe " + std::to_string(i));
    PeerAnswers(0);
    h_.ExpectNothingSent();
    expected = expected * 2;
  }
  EXPECT_EQ(h_.Stats(r_.conn).zero_window_probes, 5u);
  EXPECT_EQ(h_.counters().tcp_zero_window_probes, 5u);
  PeerAnswers(1000);  // a window update: the data goes at once
  h_.ExpectSent(Data("hello").Seq(r_.our_nxt));
  h_.AdvanceTime(Duration::Seconds(10));
  h_.ExpectSent(Data("hello").Seq(r_.our_nxt), "now a retransmission, not a probe");
}

TEST_F(ZeroWindowTest, ProbeBackoffIsBoundedByRtoMaxAndNeverAbortsWhileAnswered) {
  Instant last = h_.now();
  Duration gap;
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(h_.RunNextTimer());
    auto probe = h_.PopSent();
    ASSERT_TRUE(probe.has_value()) << "probe " << i;
    gap = h_.now() - last;
    last = h_.now();
    EXPECT_LE(gap, Duration::Seconds(120));
    PeerAnswers(0);
  }
  EXPECT_EQ(gap, Duration::Seconds(120));
  EXPECT_EQ(h_.State(r_.conn), TcpState::kEstablished);
}

TEST_F(ZeroWindowTest, APeerThatStopsAnsweringProbesIsGivenUp) {
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(h_.RunNextTimer());
    h_.ExpectSent(Probe());
  }
  ASSERT_TRUE(h_.RunNextTimer());
  EXPECT_EQ(h_.State(r_.conn), TcpState::kClosed);
  EXPECT_EQ(h_.Stats(r_.conn).close_reason, CloseReason::kRetransmitTimeout);
}

TEST(SenderSws, WaitsForHalfTheLargestWindowThenTheOverrideTimerSendsWhatFits) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);  // the peer offered 65535
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt).Win(500));
  h.SendString(r.conn, std::string(3000, 'q'));
  h.ExpectNothingSent("500 bytes is under half of the largest window offered");
  h.AdvanceTime(Duration::Millis(200));
  h.ExpectSent(Data(500).Seq(r.our_nxt), "override timeout");
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt + 500).Win(40000));
  h.ExpectSent(Data(1460).Seq(r.our_nxt + 500));
  h.ExpectNothingSent("Nagle holds the last 1040 bytes until the ACK");
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt + 1960).Win(40000));
  h.ExpectSent(Data(1040).Seq(r.our_nxt + 1960));
}

TEST(ShrunkWindow, RetransmissionsIntoAClosedWindowDoNotAbortWhileThePeerAnswers) {
  TcpConfig config = TestConfig();
  config.retries2 = 3;
  Harness h(config);
  Reached r = ReachState(h, TcpState::kEstablished);
  h.SendString(r.conn, "data");
  h.ExpectSent(Data("data"));
  // The peer takes back the window it offered (RFC 9293 §3.8.6 discourages, some do).
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt).Win(0));
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(h.RunNextTimer());
    h.ExpectSent(Data("data").Seq(r.our_nxt), "retransmission " + std::to_string(i));
    h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt).Win(0));
  }
  EXPECT_EQ(h.State(r.conn), TcpState::kEstablished);
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt + 4).Win(1000));
  EXPECT_EQ(h.Stats(r.conn).bytes_acked, 4u);
}

class ReceiveWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ConnectionOptions o;
    o.recv_buffer_bytes = 4000;  // fits 65535 unscaled: no window scaling needed
    r_ = ReachState(h_, TcpState::kEstablished, o);
  }
  Harness h_;
  Reached r_;
};

TEST_F(ReceiveWindowTest, WindowUpdateOnlyOnceTheWindowOpensByAnMssOrHalfTheBuffer) {
  h_.Inject(Data(std::string(4000, 'w')).Seq(r_.peer_nxt).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 4000).Win(0));
  EXPECT_EQ(h_.RecvString(r_.conn, 100).size(), 100u);
  h_.ExpectNothingSent("100 bytes free is a silly window");
  EXPECT_EQ(h_.RecvString(r_.conn, 1300).size(), 1300u);
  h_.ExpectNothingSent("1400 free < min(2000, 1460)");
  EXPECT_EQ(h_.RecvString(r_.conn, 100).size(), 100u);
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 4000).Win(1500), "window update");
  // Segments acknowledged later advertise the whole free space.
  EXPECT_EQ(h_.RecvString(r_.conn, 10000).size(), 2500u);
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 4000).Win(4000));
}

TEST_F(ReceiveWindowTest, ZeroWindowProbeFromThePeerIsAnsweredWithTheWindow) {
  h_.Inject(Data(std::string(4000, 'w')).Seq(r_.peer_nxt).Ack(r_.our_nxt));
  h_.PopSent();
  const SeqNum nxt = r_.peer_nxt + 4000;
  // Linux-style probe (an old sequence number) and a one-byte probe at RCV.NXT.
  h_.Inject(Ack().Seq(nxt - 1).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(nxt).Win(0));
  h_.Inject(Data("p").Seq(nxt).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(nxt).Win(0));
  EXPECT_EQ(h_.layer().RecvAvailable(r_.conn), 4000u);
}

TEST(WindowScale, ScaledBothWaysButNeverInSyns) {
  Harness h;
  const ConnId c = h.Connect();
  h.ExpectSent(Syn().Ws(3).Win(65535));
  h.Inject(SynAck().Seq(5000).Ack(h.iss() + 1).Win(20000).Mss(1460).Ws(7));
  // Our 256 KiB buffer with shift 3 is advertised as 32768.
  h.ExpectSent(Ack().Ack(5001).Win(32768));
  EXPECT_EQ(h.Stats(c).snd_wnd, 20000u) << "the SYN-ACK's window is not scaled";
  h.Inject(Ack().Seq(5001).Ack(h.iss() + 1).Win(100));
  EXPECT_EQ(h.Stats(c).snd_wnd, 100u << 7);
  EXPECT_EQ(h.Stats(c).snd_wscale, 7);
  EXPECT_EQ(h.Stats(c).rcv_wscale, 3);
}

TEST(WindowScale, ShiftAbove14IsUsedAs14) {
  Harness h;
  const ConnId c = h.Connect();
  h.ExpectSent(Syn());
  h.Inject(SynAck().Seq(5000).Ack(h.iss() + 1).Win(100).Ws(20));
  h.Inject(Ack().Seq(5001).Ack(h.iss() + 1).Win(1));
  EXPECT_EQ(h.Stats(c).snd_wscale, 14);
  EXPECT_EQ(h.Stats(c).snd_wnd, 1u << 14);
}

TEST(WindowScale, RoundingNeverMovesTheRightEdgeLeft) {
  Harness h;
  const ConnId c = h.Connect();
  h.ExpectSent(Syn());
  h.Inject(SynAck().Seq(5000).Ack(h.iss() + 1).Win(65535).Ws(0));
  h.ExpectSent(Ack().Win(32768));  // right edge: 5001 + 262144
  // 5 bytes in: 262139 free would round down to 262136, moving the edge left by 3. The
  // window is rounded up instead.
  h.Inject(Data("12345").Seq(5001).Ack(h.iss() + 1));
  h.AdvanceTime(Duration::Millis(40));
  h.ExpectSent(Ack().Ack(5006).Win(32768));
  EXPECT_EQ(h.RecvString(c), "12345");
}

TEST(WindowScale, NotUsedUnlessBothSidesSendTheOption) {
  Harness h;
  ConnectionOptions o;
  o.window_scale = false;
  const ConnId c = h.Connect(kRemote, o);
  h.ExpectSent(Syn().NoWs());
  h.Inject(SynAck().Seq(5000).Ack(h.iss() + 1).Win(1000).Ws(7));
  h.ExpectSent(Ack().Win(65535));
  h.Inject(Ack().Seq(5001).Ack(h.iss() + 1).Win(1000));
  EXPECT_EQ(h.Stats(c).snd_wnd, 1000u);
  EXPECT_EQ(h.Stats(c).snd_wscale, 0);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
