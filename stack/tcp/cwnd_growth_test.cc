// How cwnd grows as ACKs come, through a connection: slow start adds every acknowledged byte
// (as Linux's tcp_slow_start), and only while cwnd limits the sender (RFC 7661 §4.3, Linux
// tcp_is_cwnd_limited: the window was used up, or in slow start cwnd is below twice the
// largest flight of the current window).
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"

namespace tcpaas::tcp::testing {
namespace {

constexpr uint32_t kMss = 1000;

class CwndGrowthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = h_.Establish(ConnectionOptions{}, SeqNum(5000),
                         SynAck().Win(65535).Mss(kMss).SackOk().Ws(7));
    our_ = h_.iss() + 1;
    peer_ = SeqNum(5001);
    ASSERT_EQ(Cwnd(), 10u);
  }
  uint32_t Cwnd() { return h_.Stats(conn_).cwnd / kMss; }
  void Write(size_t bytes) {
    h_.SendString(conn_, std::string(bytes, 'c'));
    h_.DropSent();
  }
  void PeerAcks(uint32_t bytes) {
    h_.Inject(Ack().Seq(peer_).Ack(our_ + bytes).Win(1000));
    h_.DropSent();
  }
  Harness h_;
  ConnId conn_;
  SeqNum our_;
  SeqNum peer_;
};

TEST_F(CwndGrowthTest, AWindowThatWasUsedUpGrowsForEveryAckOfThatWindow) {
  Write(10 * kMss);  // exactly the initial window: cwnd-limited
  for (uint32_t acked = 2; acked <= 10; acked += 2) {
    PeerAcks(acked * kMss);
    EXPECT_EQ(Cwnd(), 10 + acked) << "after " << acked << " segments";
  }
}

TEST_F(CwndGrowthTest, AnApplicationLimitedFlightGrowsCwndToTwiceItsSize) {
  Write(9 * kMss);
  uint32_t want = 10;
  for (uint32_t acked : {2u, 4u, 6u, 8u, 9u}) {
    PeerAcks(acked * kMss);
    want = std::min(want + 2, 18u);
    EXPECT_EQ(Cwnd(), want) << "after " << acked << " segments";
  }
  EXPECT_EQ(Cwnd(), 18u) << "twice the largest flight (9), not more";
}

TEST_F(CwndGrowthTest, AFlightOfHalfTheWindowDoesNotGrowIt) {
  Write(5 * kMss);
  PeerAcks(2 * kMss);
  PeerAcks(4 * kMss);
  PeerAcks(5 * kMss);
  EXPECT_EQ(Cwnd(), 10u);
}

TEST_F(CwndGrowthTest, AStretchAckGrowsByEverySegmentItAcknowledges) {
  Write(30 * kMss);
  PeerAcks(4 * kMss);  // one ACK for four segments
  EXPECT_EQ(Cwnd(), 14u) << "RFC 3465's L = 2 would give 12";
}

}  // namespace
}  // namespace tcpaas::tcp::testing
