// Spurious timeouts (RFC 3522 Eifel detection, RFC 4015 response): the first ACK after a
// timeout retransmission echoes a timestamp. Older than the retransmission's TSval: the
// original arrived, the timeout was premature, and its congestion response is undone.
// The retransmission's own TSval: the original was lost, the reduction stays. The peer
// here has timestamps but no SACK (so no TLP fires first); the handshake took 50 ms.
#include "gtest/gtest.h"
#include "stack/tcp/testing/sack_sender.h"

namespace tcpaas::tcp::testing {
namespace {

class SpuriousRtoTest : public SackSenderTest {
 protected:
  SpuriousRtoTest() : SackSenderTest({.sack = false, .timestamps = true}) {}
  // Lets the retransmission timer fire; returns the TSval of the timeout retransmission.
  uint32_t TimeOut() {
    h_.AdvanceTime(Stats().rto);
    return TsVal(ExpectSegment(0, "the timeout resends the first segment"));
  }
};

TEST_F(SpuriousRtoTest, AnAckEchoingTheOriginalUndoesTheTimeout) {
  Open();
  const uint32_t original_ts = SendSegments(10);
  const TcpStats before = Stats();
  const uint32_t retransmit_ts = TimeOut();
  ASSERT_NE(original_ts, retransmit_ts) << "the retransmission must carry a later TSval";
  EXPECT_EQ(Stats().cwnd, mss()) << "RFC 5681 §3.1: the loss window";
  EXPECT_EQ(Stats().ca_state, TcpCaState::kLoss);

  PeerAckEchoing(10, original_ts);  // the ACK of the original flight, delayed past the RTO
  const TcpStats after = Stats();
  EXPECT_EQ(after.spurious_rtos, 1u);
  EXPECT_EQ(after.ca_state, TcpCaState::kOpen);
  EXPECT_GE(after.cwnd, before.cwnd) << "RFC 4015: the window from before the timeout";
  EXPECT_EQ(after.ssthresh, before.ssthresh);
  // Sending resumes with new data, not with a go-back-N over what the peer holds.
  WriteSegments(1);
  ExpectSegment(10, "new data");
}

TEST_F(SpuriousRtoTest, AnAckEchoingTheRetransmissionKeepsTheReduction) {
  Open();
  SendSegments(10);
  const TcpStats before = Stats();
  const uint32_t retransmit_ts = TimeOut();
  PeerAckEchoing(1, retransmit_ts);  // the original was lost; the retransmission repaired it
  const TcpStats after = Stats();
  EXPECT_EQ(after.spurious_rtos, 0u);
  EXPECT_LT(after.ssthresh, before.cwnd) << "RFC 5681 §3.1 eq. 4 stands";
  EXPECT_LE(after.cwnd, 2 * mss());
}

TEST_F(SpuriousRtoTest, WithoutTimestampsNothingIsUndone) {
  Open({.sack = false});
  SendSegments(10);
  const TcpStats before = Stats();
  TimeOut();
  PeerAck(10);
  EXPECT_EQ(Stats().spurious_rtos, 0u);
  EXPECT_LT(Stats().ssthresh, before.cwnd) << "RFC 5681 §3.1 eq. 4 stands";
}

TEST_F(SpuriousRtoTest, AfterASecondTimeoutNothingIsUndone) {
  Open();
  const uint32_t original_ts = SendSegments(10);
  TimeOut();
  TimeOut();  // the path stayed silent for two RTOs: that was no spurious timeout
  PeerAckEchoing(10, original_ts);
  EXPECT_EQ(Stats().spurious_rtos, 0u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
