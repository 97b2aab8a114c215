// RACK loss detection on a connection (RFC 8985 §6): time, not DupThresh, decides what is
// lost. The connection's handshake took 50 ms (SRTT and RACK.min_RTT 50 ms, RTO 250 ms);
// segment n is [n * 1000, (n + 1) * 1000) of our data and the peer's ACKs name segments.
#include "gtest/gtest.h"
#include "stack/tcp/testing/sack_sender.h"

namespace tcpaas::tcp::testing {
namespace {

class RackRecoveryTest : public SackSenderTest {
 protected:
  // NewReno's ssthresh (FlightSize / 2) keeps PRR's sending quantities small and known;
  // the stack's default is CUBIC.
  RackRecoveryTest() : SackSenderTest({.congestion_control = "newreno"}) {}
  void SetUp() override { Open(); }
};

TEST_F(RackRecoveryTest, OneSackedSegmentStartsRecoveryAfterTheReorderingWindow) {
  // §6.2 step 4: with one segment SACKed the reordering window is min_RTT / 4 = 12.5 ms;
  // segment 0 (sent with segment 1) is lost when it passes. DupThresh would wait for two more
  // duplicate ACKs, and without more data in flight for the RTO.
  SendSegments(2);
  h_.AdvanceTime(rtt());
  PeerAck(0, {{1, 2}});
  h_.ExpectNothingSent("inside the reordering window: maybe reordered");
  EXPECT_EQ(Stats().ca_state, TcpCaState::kDisorder);
  h_.AdvanceTime(Duration::Micros(12400));
  h_.ExpectNothingSent("12.4 ms: not yet");
  h_.AdvanceTime(Duration::Micros(100));
  ExpectSegment(0, "RACK reorder timeout: segment 0 is lost");
  EXPECT_EQ(Stats().ca_state, TcpCaState::kRecovery);
  EXPECT_EQ(Retransmits(RetransmitKind::kRack), 1u);
  EXPECT_EQ(Retransmits(RetransmitKind::kTimeout), 0u);
  EXPECT_EQ(Stats().fast_recoveries, 1u);
}

TEST_F(RackRecoveryTest, ReorderedSegmentArrivingInTheWindowIsNotRetransmitted) {
  SendSegments(2);
  h_.AdvanceTime(rtt());
  PeerAck(0, {{1, 2}});
  h_.AdvanceTime(Duration::Millis(5));
  PeerAck(2);  // segment 0 was only late
  h_.AdvanceTime(Duration::Millis(20));
  h_.ExpectNothingSent();
  EXPECT_EQ(Retransmits(RetransmitKind::kRack), 0u);
  EXPECT_EQ(Stats().fast_recoveries, 0u);
}

TEST_F(RackRecoveryTest, LostRetransmissionIsRepairedWithoutTimeout) {
  // §6.2 step 5 on a retransmission: segment 0 is lost twice. Its retransmission went out
  // before the new segments PRR sent with it; when those are SACKed, it is lost again.
  // RFC 6675 alone never resends below HighRxt: only the RTO would.
  SendSegments(10);
  h_.AdvanceTime(rtt());
  PeerAck(0, {{1, 4}});
  ExpectSegment(0, "RACK with DupThresh segments SACKed: at once");
  h_.ExpectNothingSent();
  WriteSegments(2);
  PeerAck(0, {{1, 10}});  // 4-9 delivered: PRR lets new data out
  ExpectSegment(10, "new data");
  ExpectSegment(11, "new data");
  ExpectSegment(11, "RFC 6675 NextSeg() rule 4, the rescue retransmission");
  h_.AdvanceTime(rtt());
  PeerAck(0, {{1, 12}});  // 10 and 11 arrived; the retransmission of 0 did not
  ExpectSegment(0, "the lost retransmission, again");
  EXPECT_EQ(Retransmits(RetransmitKind::kRack), 2u);
  EXPECT_EQ(Stats().rto_timeouts, 0u);
  PeerAck(12);
  EXPECT_EQ(Stats().ca_state, TcpCaState::kOpen);
}

TEST_F(RackRecoveryTest, ReorderingSeenKeepsAWindowInRecovery) {
  // §6.2 step 3: a never-retransmitted segment delivered below RACK.fack is reordering;
  // from then on the window is not zeroed by DupThresh SACKed segments or recovery.
  SendSegments(6);
  h_.AdvanceTime(rtt());
  PeerAck(0, {{2, 3}});
  PeerAck(0, {{1, 3}});  // 1 was reordered behind 2
  PeerAck(0, {{1, 6}});  // 5 SACKed above 0: DupThresh would call 0 lost at once
  h_.ExpectNothingSent("reordering seen: wait min_RTT / 4");
  h_.AdvanceTime(Duration::Micros(12500));
  ExpectSegment(0, "now lost");
}

TEST_F(RackRecoveryTest, TcpInfoCountsRackLostAndRetransmittedSegments) {
  SendSegments(10);
  h_.AdvanceTime(rtt());
  PeerAck(0, {{2, 6}});  // 0 and 1 lost
  ExpectSegment(0, "first lost");
  const TcpStats s = Stats();
  EXPECT_EQ(s.lost_segments, 2u);
  EXPECT_EQ(s.retrans_segments, 1u);
  EXPECT_EQ(s.sacked_segments, 4u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
