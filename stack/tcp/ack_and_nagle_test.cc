// When ACKs and small segments go out: delayed ACKs (RFC 9293 §3.8.6.3, RFC 5681 §4.2),
// Linux's quick ACKs, and Nagle's algorithm (RFC 9293 §3.7.4, RFC 1122 §4.2.3.4) with
// per-connection no-delay.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

TcpConfig WithQuickAcks(uint32_t n) {
  TcpConfig c = TestConfig();
  c.max_quick_acks = n;
  return c;
}

// The delayed-ACK rule alone: quick ACKs are off here (QuickAckTest covers them).
class DelayedAckTest : public ::testing::Test {
 protected:
  DelayedAckTest() : h_(WithQuickAcks(0)) {}
  void SetUp() override { r_ = ReachState(h_, TcpState::kEstablished); }
  void PeerData(uint32_t offset, size_t len) {
    h_.Inject(Data(std::string(len, 'd')).Seq(r_.peer_nxt + offset).Ack(r_.our_nxt));
  }
  Harness h_;
  Reached r_;
};

TEST_F(DelayedAckTest, ASingleSegmentIsAcknowledgedAfter40Ms) {
  PeerData(0, 100);
  h_.AdvanceTime(Duration::Millis(39));
  h_.ExpectNothingSent();
  h_.AdvanceTime(Duration::Millis(1));
  h_.ExpectSent(Ack().Seq(r_.our_nxt).Ack(r_.peer_nxt + 100));
  h_.AdvanceTime(Duration::Seconds(1));
  h_.ExpectNothingSent();
}

TEST_F(DelayedAckTest, EverySecondFullSizedSegmentIsAcknowledgedAtOnce) {
  for (int i = 0; i < 6; ++i) {
    PeerData(1460 * i, 1460);
    if (i % 2 == 0) {
      h_.ExpectNothingSent("first of a pair");
    } else {
      h_.ExpectSent(Ack().Ack(r_.peer_nxt + 1460 * (i + 1)), "second of a pair");
    }
  }
}

TEST_F(DelayedAckTest, OneSegmentCarryingTwoFullSegmentsIsAcknowledgedAtOnce) {
  // A coalesced (GRO/TSO) segment, or anything beyond one full segment unacknowledged
  // (Linux __tcp_ack_snd_check: rcv_nxt - rcv_wup > rcv_mss).
  PeerData(0, 2 * 1460);
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 2 * 1460));
  PeerData(2 * 1460, 1000);
  h_.ExpectNothingSent("less than one full segment waits");
}

TEST_F(DelayedAckTest, SmallSegmentsAreNotFullSized) {
  // Until a larger segment is seen, "full-sized" is 536 bytes (Linux tcp_initialize_rcv_mss):
  // 100-byte segments are acknowledged once more than 536 bytes are unacknowledged.
  for (int i = 0; i < 5; ++i) {
    PeerData(100 * i, 100);
    h_.ExpectNothingSent("500 bytes or less");
  }
  PeerData(500, 100);
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 600));
}

TEST_F(DelayedAckTest, AckRidesOnDataSentWithinTheDelay) {
  PeerData(0, 100);
  h_.AdvanceTime(Duration::Millis(10));
  h_.SendString(r_.conn, "reply");
  h_.ExpectSent(Data("reply").Ack(r_.peer_nxt + 100));
  h_.AdvanceTime(Duration::Millis(100));
  h_.ExpectNothingSent("the delayed ACK was cancelled");
}

TEST_F(DelayedAckTest, FinIsAcknowledgedAtOnce) {
  PeerData(0, 100);
  h_.Inject(FinAck().Seq(r_.peer_nxt + 100).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 101));
}

TEST_F(DelayedAckTest, ConfiguredDelayIsUsed) {
  TcpConfig config = WithQuickAcks(0);
  config.delayed_ack = Duration::Millis(200);
  Harness h(config);
  Reached r = ReachState(h, TcpState::kEstablished);
  h.Inject(Data("x").Seq(r.peer_nxt).Ack(r.our_nxt));
  h.AdvanceTime(Duration::Millis(199));
  h.ExpectNothingSent();
  h.AdvanceTime(Duration::Millis(1));
  h.ExpectSent(Ack().Ack(r.peer_nxt + 1));
}

// Linux's quick-ACK mode (tcp_incr_quickack, tcp_enter_quickack_mode), see
// Connection::ScheduleAckForData.
class QuickAckTest : public ::testing::Test {
 protected:
  explicit QuickAckTest(const TcpConfig& config = TestConfig()) : h_(config) {}
  void SetUp() override { r_ = ReachState(h_, TcpState::kEstablished, Options()); }
  virtual ConnectionOptions Options() { return {}; }
  // `len` bytes from the peer right after what it sent so far.
  void PeerData(size_t len) {
    h_.Inject(Data(std::string(len, 'q')).Seq(r_.peer_nxt + sent_).Ack(r_.our_nxt));
    sent_ += static_cast<uint32_t>(len);
  }
  // Sends small segments until one is not acknowledged at once; returns how many were.
  int CountQuickAcks() {
    int n = 0;
    while (n < 100) {
      PeerData(10);
      if (!h_.HasSent()) return n;
      h_.ExpectSent(Ack().Ack(r_.peer_nxt + sent_));
      ++n;
    }
    return n;
  }
  Harness h_;
  Reached r_;
  uint32_t sent_ = 0;
};

TEST_F(QuickAckTest, TheFirstSixteenSegmentsAreAcknowledgedAtOnce) {
  EXPECT_EQ(CountQuickAcks(), 16);
  h_.AdvanceTime(Duration::Millis(40));
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + sent_), "then the delayed ACK");
}

class SmallWindowQuickAckTest : public QuickAckTest {
  ConnectionOptions Options() override {
    ConnectionOptions o;
    o.recv_buffer_bytes = 4000;
    return o;
  }
};

TEST_F(SmallWindowQuickAckTest, AtMostTheWindowOverTwoSegments) {
  // Linux: receive window / (2 * rcv_mss) = 4000 / 1072 = 3.
  EXPECT_EQ(CountQuickAcks(), 3);
}

TEST_F(QuickAckTest, ASilenceLongerThanTheRtoStartsThemAgain) {
  CountQuickAcks();
  h_.AdvanceTime(Duration::Millis(40));
  h_.DropSent();
  h_.AdvanceTime(Duration::Seconds(2));  // above the RTO (1 s: no RTT sample yet)
  EXPECT_EQ(CountQuickAcks(), 16);
}

TEST_F(QuickAckTest, DuplicateDataStartsThemAgain) {
  CountQuickAcks();
  h_.AdvanceTime(Duration::Millis(40));
  h_.DropSent();
  // Our ACK was lost, the peer retransmits: ACKed at once, and quick ACKs resume.
  h_.Inject(Data("q").Seq(r_.peer_nxt).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + sent_));
  EXPECT_EQ(CountQuickAcks(), 15) << "the duplicate's ACK spent one";
}

TEST_F(QuickAckTest, PingPongDelaysAcksUntilADelayedAckFindsNoReply) {
  PeerData(10);
  h_.ExpectSent(Ack(), "first data: quick ACK");
  h_.AdvanceTime(Duration::Millis(5));
  h_.SendString(r_.conn, "reply");  // a reply within the delayed-ACK time: interactive
  h_.ExpectSent(Data("reply"));
  h_.Inject(Ack().Seq(r_.peer_nxt + sent_).Ack(r_.our_nxt + 5));
  PeerData(10);
  h_.ExpectNothingSent("ping-pong: the ACK waits for our next reply");
  h_.AdvanceTime(Duration::Millis(40));
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + sent_), "no reply came: the delayed ACK");
  PeerData(10);
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + sent_), "ping-pong ended: quick ACKs again");
}

TEST(QuickAck, ZeroTurnsThemOff) {
  Harness h(WithQuickAcks(0));
  Reached r = ReachState(h, TcpState::kEstablished);
  h.Inject(Data("x").Seq(r.peer_nxt).Ack(r.our_nxt));
  h.ExpectNothingSent();
}

class NagleTest : public ::testing::Test {
 protected:
  void SetUp() override { r_ = ReachState(h_, TcpState::kEstablished, Options()); }
  virtual ConnectionOptions Options() { return {}; }
  Harness h_;
  Reached r_;
};

TEST_F(NagleTest, SmallWritesAreCoalescedWhileDataIsUnacknowledged) {
  h_.SendString(r_.conn, "a");
  h_.ExpectSent(Data("a").Seq(r_.our_nxt), "nothing unacknowledged: goes at once");
  h_.SendString(r_.conn, "b");
  h_.SendString(r_.conn, "c");
  h_.ExpectNothingSent("held while 'a' is unacknowledged");
  h_.Inject(Ack().Seq(r_.peer_nxt).Ack(r_.our_nxt + 1).Win(65535));
  h_.ExpectSent(Data("bc").Seq(r_.our_nxt + 1), "one segment for both");
}

TEST_F(NagleTest, FullSizedSegmentsAreNotHeld) {
  h_.SendString(r_.conn, "a");
  h_.PopSent();
  h_.SendString(r_.conn, std::string(1460 + 10, 'z'));
  h_.ExpectSent(Data(1460).Seq(r_.our_nxt + 1));
  h_.ExpectNothingSent("the 10-byte tail waits");
}

TEST_F(NagleTest, SetNoDelayFlushesWhatWasHeld) {
  h_.SendString(r_.conn, "a");
  h_.PopSent();
  h_.SendString(r_.conn, "b");
  h_.ExpectNothingSent();
  ASSERT_TRUE(h_.layer().SetNoDelay(r_.conn, true, h_.now()).ok());
  h_.ExpectSent(Data("b").Seq(r_.our_nxt + 1));
}

class NoDelayTest : public NagleTest {
  ConnectionOptions Options() override {
    ConnectionOptions o;
    o.no_delay = true;
    return o;
  }
};

TEST_F(NoDelayTest, EveryWriteGoesAtOnce) {
  h_.SendString(r_.conn, "a");
  h_.SendString(r_.conn, "b");
  h_.SendString(r_.conn, "c");
  h_.ExpectSent(Data("a").Seq(r_.our_nxt));
  h_.ExpectSent(Data("b").Seq(r_.our_nxt + 1));
  h_.ExpectSent(Data("c").Seq(r_.our_nxt + 2));
}

}  // namespace
}  // namespace tcpaas::tcp::testing
