// Where PSH goes (RFC 9293 §3.9.1 leaves it to the implementation): like Linux, on the last
// segment of each burst a write or an ACK sends, on a retransmission of the segment that
// ended a write, and on what the persist timer sends; not on limited-transmit segments.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"

namespace tcpaas::tcp::testing {
namespace {

constexpr uint32_t kMss = 1000;

class PshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // MSS 1000 without timestamps: 1000-byte segments, IW = 10 segments.
    conn_ = h_.Establish(ConnectionOptions{}, SeqNum(5000),
                         SynAck().Win(65535).Mss(kMss).SackOk().Ws(7));
    our_ = h_.iss() + 1;
    peer_ = SeqNum(5001);
    PeerAcks(0);  // the peer's scaled window (1000 << 7), so later ACKs can be duplicates
  }
  // Pops segments sent so far; returns how many, and checks that only the last has PSH.
  int ExpectBurstWithPshOnTheLast(const std::string& what) {
    int n = 0;
    while (auto s = h_.PopSent()) {
      ++n;
      const bool psh = s->has(wire::tcp_flags::kPsh);
      EXPECT_EQ(psh, !h_.HasSent()) << what << ": segment " << n << " " << s->ToString();
    }
    return n;
  }
  void PeerAcks(uint32_t bytes, uint16_t win = 1000) {
    h_.Inject(Ack().Seq(peer_).Ack(our_ + bytes).Win(win));
  }
  Harness h_;
  ConnId conn_;
  SeqNum our_;
  SeqNum peer_;
};

TEST_F(PshTest, OnTheLastSegmentOfEachBurstNotOnlyWhenTheBufferEmpties) {
  h_.SendString(conn_, std::string(30000, 'p'));
  EXPECT_EQ(ExpectBurstWithPshOnTheLast("the initial window"), 10);
  // Each ACK clocks out a burst of two (slow start), the last with PSH.
  for (uint32_t acked = kMss; acked <= 5 * kMss; acked += kMss) {
    PeerAcks(acked);
    EXPECT_EQ(ExpectBurstWithPshOnTheLast("after ACK " + std::to_string(acked)), 2);
  }
}

TEST_F(PshTest, ARetransmissionOfTheSegmentThatEndedAWriteKeepsIt) {
  h_.SendString(conn_, std::string(1000, 'p'));
  h_.ExpectSent(Data(1000).Psh());
  ASSERT_TRUE(h_.RunNextTimer());  // RTO
  h_.ExpectSent(Data(1000).Seq(our_).Psh(), "the retransmission keeps PSH");
  PeerAcks(1000);
  h_.SendString(conn_, std::string(2000, 'p'));
  h_.ExpectSent(Data(1000).Seq(our_ + 1000));
  h_.ExpectSent(Data(1000).Seq(our_ + 2000).Psh());
  ASSERT_TRUE(h_.RunNextTimer());  // RTO: the head again, which did not end the write
  const SentSegment head = h_.ExpectSent(Data(1000).Seq(our_ + 1000));
  EXPECT_FALSE(head.has(wire::tcp_flags::kPsh));
}

TEST_F(PshTest, LimitedTransmitSegmentsCarryNone) {
  h_.SendString(conn_, std::string(12000, 'p'));
  EXPECT_EQ(ExpectBurstWithPshOnTheLast("the initial window"), 10);
  // RFC 3042: one new segment per duplicate ACK; as Linux, without PSH. (The peer SACKs:
  // RFC 6675 §2 counts only duplicates that SACK new data.)
  h_.Inject(Ack().Seq(peer_).Ack(our_).Win(1000).Sack(our_ + 1000, our_ + 2000));
  const SentSegment first = h_.ExpectSent(Data(1000).Seq(our_ + 10000));
  EXPECT_FALSE(first.has(wire::tcp_flags::kPsh));
  h_.Inject(Ack().Seq(peer_).Ack(our_).Win(1000).Sack(our_ + 1000, our_ + 3000));
  const SentSegment second = h_.ExpectSent(Data(1000).Seq(our_ + 11000));
  EXPECT_FALSE(second.has(wire::tcp_flags::kPsh));
}

}  // namespace
}  // namespace tcpaas::tcp::testing
