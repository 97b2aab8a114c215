// When ACKs and small segments go out: delayed ACKs (RFC 9293 §3.8.6.3, RFC 5681 §4.2) and
// Nagle's algorithm (RFC 9293 §3.7.4, RFC 1122 §4.2.3.4) with per-connection no-delay.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

class DelayedAckTest : public ::testing::Test {
 protected:
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
  TcpConfig config = TestConfig();
  config.delayed_ack = Duration::Millis(200);
  Harness h(config);
  Reached r = ReachState(h, TcpState::kEstablished);
  h.Inject(Data("x").Seq(r.peer_nxt).Ack(r.our_nxt));
  h.AdvanceTime(Duration::Millis(199));
  h.ExpectNothingSent();
  h.AdvanceTime(Duration::Millis(1));
  h.ExpectSent(Ack().Ack(r.peer_nxt + 1));
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
