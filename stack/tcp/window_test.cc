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

// After a read, a window update of its own only when the peer may be stalled or the read
// opened a window that was small (RFC 9293 §3.8.6.2.2, Linux __tcp_cleanup_rbuf).
class ReadWindowUpdateTest : public ::testing::TestWithParam<bool /*passive*/> {
 protected:
  // 256 KiB receive buffer; quick ACKs off so the peer's data waits for a delayed ACK.
  ReadWindowUpdateTest() : h_(NoQuickAcks()) {}
  static TcpConfig NoQuickAcks() {
    TcpConfig c = TestConfig();
    c.max_quick_acks = 0;
    return c;
  }
  void SetUp() override {
    if (GetParam()) {
      // The SYN-ACK of a passive open offers at most 65535 bytes (RFC 7323 §2.2).
      const ListenerId l = h_.Listen(Port(80));
      conn_ = h_.AcceptOne(l, SeqNum(5000), Syn().Win(65535).Mss(1460).SackOk().Ws(7));
      our_ = h_.iss() + 1;
    } else {
      conn_ = h_.Establish(ConnectionOptions{}, SeqNum(5000),
                           SynAck().Win(65535).Mss(1460).SackOk().Ws(7));
      our_ = h_.iss() + 1;
    }
    peer_ = SeqNum(5001);
  }
  Harness h_;
  ConnId conn_;
  SeqNum our_;
  SeqNum peer_;
};

TEST_P(ReadWindowUpdateTest, ASmallReadSendsNoBareAckSoCloseSendsOneFinAck) {
  h_.Inject(Data(std::string(500, 'r')).Seq(peer_).Ack(our_));
  h_.ExpectNothingSent("the ACK is delayed");
  EXPECT_EQ(h_.RecvString(conn_, 500).size(), 500u);
  h_.ExpectNothingSent("500 bytes read from a 256 KiB buffer is no news for the peer");
  const uint8_t shift = h_.Stats(conn_).rcv_wscale;
  ASSERT_TRUE(h_.layer().Close(conn_, h_.now()).ok());
  const SentSegment fin = h_.ExpectSent(FinAck().Seq(our_).Ack(peer_ + 500));
  EXPECT_GT(uint32_t{fin.header.window} << shift, 200'000u) << "the FIN carries the whole window";
  h_.ExpectNothingSent();
}

TEST_P(ReadWindowUpdateTest, AReadThatReopensASmallWindowIsAnnounced) {
  // The peer fills most of the buffer; what is left (< half of it) is all it may send.
  const size_t chunk = 1460;
  const size_t total = 150 * chunk;
  for (size_t off = 0; off < total; off += chunk) {
    h_.Inject(Data(std::string(chunk, 'r')).Seq(peer_ + static_cast<uint32_t>(off)).Ack(our_));
  }
  h_.AdvanceTime(Duration::Millis(40));
  h_.DropSent();
  const uint32_t left = h_.Stats(conn_).rcv_wnd;
  ASSERT_LT(left, 128u * 1024);
  EXPECT_EQ(h_.RecvString(conn_, total).size(), total);
  const SentSegment update = h_.ExpectSent(Ack().Ack(peer_ + static_cast<uint32_t>(total)));
  EXPECT_GE(uint32_t{update.header.window} << h_.Stats(conn_).rcv_wscale, 2 * left);
}

TEST_P(ReadWindowUpdateTest, AReadWithPlentyOfWindowLeftIsNotAnnounced) {
  h_.Inject(Data(std::string(20000, 'r')).Seq(peer_).Ack(our_));
  h_.ExpectSent(Ack().Ack(peer_ + 20000), "more than one segment: ACKed at once");
  EXPECT_EQ(h_.RecvString(conn_, 20000).size(), 20000u);
  h_.ExpectNothingSent("over 200 KiB of window left: the next ACK will say the rest");
}

INSTANTIATE_TEST_SUITE_P(ActiveAndPassive, ReadWindowUpdateTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Passive" : "Active";
                         });

TEST(ReadWindowUpdate, WithDefaultsASmallReadAndCloseSendOneFinAckToo) {
  // The whole scenario with quick ACKs on: the data is ACKed at once, the read sends
  // nothing, the close one FIN+ACK.
  Harness h;
  const ListenerId l = h.Listen(Port(80));
  const ConnId c = h.AcceptOne(l, SeqNum(5000), Syn().Win(65535).Mss(1460).SackOk().Ws(7));
  h.Inject(Data(std::string(500, 'r')).Seq(5001).Ack(h.iss() + 1));
  h.ExpectSent(Ack().Ack(5501));
  EXPECT_EQ(h.RecvString(c, 500).size(), 500u);
  ASSERT_TRUE(h.layer().Close(c, h.now()).ok());
  h.ExpectSent(FinAck().Ack(5501));
  h.ExpectNothingSent();
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

// RFC 9293 §3.10.7.4 updates SND.WND only from a segment newer than the one that last set it
// (SND.WL1, SND.WL2). A peer whose segments arrive out of order sets SND.WL1 from the later
// one; the earlier one then has SEG.SEQ < SND.WL1 even though its ACK is newer. As Linux's
// tcp_may_update_window, a newer ACK counts as newer: keeping the old window would move the
// right edge past the one the peer advertised with that ACK and overrun its buffer.
TEST(SendWindowUpdate, AnEarlierSegmentWithANewerAckSetsTheWindow) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  h.SendString(r.conn, "0123456789");
  h.ExpectSent(Data("0123456789").Seq(r.our_nxt));
  // The peer's second segment overtakes its first; it sets SND.WL1 = peer_nxt + 4.
  h.Inject(Data("efgh").Seq(r.peer_nxt + 4).Ack(r.our_nxt).Win(65535));
  h.DropSent();
  // The first segment acknowledges our data and advertises a smaller window.
  h.Inject(Data("abcd").Seq(r.peer_nxt).Ack(r.our_nxt + 10).Win(100));
  EXPECT_EQ(h.Stats(r.conn).bytes_acked, 10u);
  EXPECT_EQ(h.Stats(r.conn).snd_wnd, 100u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
