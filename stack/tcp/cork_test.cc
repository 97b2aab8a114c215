// TCP_CORK (TcpLayer::SetCork) and MSG_MORE (SendFlags::more): partial segments wait for
// more data, as on Linux; full segments, uncorking, no-delay, a FIN and the persist timer
// send them.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

class CorkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    r_ = ReachState(h_, TcpState::kEstablished, Options());
    // The handshake measured no RTT worth the name: the RTO is the 200 ms minimum.
    ASSERT_EQ(h_.Stats(r_.conn).rto, Duration::Millis(200));
  }
  virtual ConnectionOptions Options() { return {}; }
  size_t Send(size_t n, bool more = false) {
    const std::string data(n, 'k');
    absl::StatusOr<size_t> sent = h_.layer().Send(
        r_.conn, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(data.data()), n),
        SendFlags{.more = more}, h_.now());
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent.value_or(0);
  }
  void PeerAcks(uint32_t bytes) {
    h_.Inject(Ack().Seq(r_.peer_nxt).Ack(r_.our_nxt + bytes).Win(65535));
  }
  Harness h_;
  Reached r_;
};

TEST_F(CorkTest, CorkedWritesWaitUntilUncorked) {
  ASSERT_TRUE(h_.layer().SetCork(r_.conn, true, h_.now()).ok());
  Send(40);
  h_.AdvanceTime(Duration::Millis(50));
  Send(40);
  h_.ExpectNothingSent("corked, though nothing is in flight");
  h_.AdvanceTime(Duration::Millis(10));
  ASSERT_TRUE(h_.layer().SetCork(r_.conn, false, h_.now()).ok());
  h_.ExpectSent(Data(80).Seq(r_.our_nxt).Psh(), "one segment for both writes");
}

TEST_F(CorkTest, FullSegmentsGoWhileCorked) {
  ASSERT_TRUE(h_.layer().SetCork(r_.conn, true, h_.now()).ok());
  Send(1460 + 40);
  h_.ExpectSent(Data(1460).Seq(r_.our_nxt));
  h_.ExpectNothingSent("the 40-byte tail waits");
  PeerAcks(1460);
  h_.ExpectNothingSent("an ACK does not uncork");
}

TEST_F(CorkTest, ThePersistTimerEndsACorkThatNothingElseEnds) {
  // Linux's probe timer: one RTO (at least 200 ms) after the write, with PSH.
  ASSERT_TRUE(h_.layer().SetCork(r_.conn, true, h_.now()).ok());
  Send(40);
  h_.AdvanceTime(Duration::Millis(199));
  h_.ExpectNothingSent();
  h_.AdvanceTime(Duration::Millis(1));
  h_.ExpectSent(Data(40).Seq(r_.our_nxt).Psh());
}

TEST_F(CorkTest, NoDelayPushesPastTheCorkAndAFinTakesTheRest) {
  ASSERT_TRUE(h_.layer().SetCork(r_.conn, true, h_.now()).ok());
  Send(40);
  ASSERT_TRUE(h_.layer().SetNoDelay(r_.conn, true, h_.now()).ok());
  h_.ExpectSent(Data(40).Seq(r_.our_nxt).Psh(), "setting TCP_NODELAY pushes");
  PeerAcks(40);
  Send(30);
  h_.ExpectNothingSent("still corked");
  ASSERT_TRUE(h_.layer().ShutdownWrite(r_.conn, h_.now()).ok());
  h_.ExpectSent(FinAck().Seq(r_.our_nxt + 40).Len(30).GeneratedPayload(),
                "the FIN carries the corked bytes");
}

TEST_F(CorkTest, UncorkingWithoutNoDelayLeavesTheSegmentToNagle) {
  ASSERT_TRUE(h_.layer().SetCork(r_.conn, true, h_.now()).ok());
  Send(1460 + 40);
  h_.ExpectSent(Data(1460));
  ASSERT_TRUE(h_.layer().SetCork(r_.conn, false, h_.now()).ok());
  h_.ExpectNothingSent("Nagle: 1460 bytes are unacknowledged");
  PeerAcks(1460);
  h_.ExpectSent(Data(40).Seq(r_.our_nxt + 1460).Psh());
}

class MoreTest : public CorkTest {
  ConnectionOptions Options() override {
    ConnectionOptions o;
    o.no_delay = true;
    return o;
  }
};

TEST_F(MoreTest, MoreHoldsThePartialSegmentOfThatCallOnly) {
  Send(100, /*more=*/true);
  Send(160, /*more=*/true);
  h_.ExpectNothingSent("more is coming");
  Send(5);
  h_.ExpectSent(Data(265).Seq(r_.our_nxt).Psh(), "the last write pushes everything");
  PeerAcks(265);
  // Full segments go; the tail waits for the next call or an ACK, and carries no PSH
  // since its bytes were written with `more`.
  Send(3000, /*more=*/true);
  h_.ExpectSent(Data(1460).Seq(r_.our_nxt + 265));
  h_.ExpectSent(Data(1460).Seq(r_.our_nxt + 1725));
  h_.ExpectNothingSent();
  PeerAcks(1725);
  const SentSegment tail = h_.ExpectSent(Data(80).Seq(r_.our_nxt + 3185));
  EXPECT_FALSE(tail.has(wire::tcp_flags::kPsh));
}

TEST_F(MoreTest, ThePersistTimerSendsWhatMoreHeld) {
  Send(40, /*more=*/true);
  h_.ExpectNothingSent();
  h_.AdvanceTime(Duration::Millis(200));
  h_.ExpectSent(Data(40).Seq(r_.our_nxt).Psh());
}

}  // namespace
}  // namespace tcpaas::tcp::testing
