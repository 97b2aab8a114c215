// Spurious timeouts (RFC 3522 Eifel detection, RFC 4015 response): the first ACK after a
// timeout retransmission echoes a timestamp. Older than the retransmission's TSval: the
// original arrived, the timeout was premature, and its congestion response is undone.
// The retransmission's own TSval: the original was lost, the reduction stays. The peer
// here has timestamps but no SACK (so no TLP fires first); the handshake took 50 ms.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"

namespace tcpaas::tcp::testing {
namespace {

constexpr uint32_t kMss = 1000;
constexpr Duration kRtt = Duration::Millis(50);

class SpuriousRtoTest : public ::testing::Test {
 protected:
  void Open(bool timestamps) {
    conn_ = h_.Connect();
    const SentSegment syn = *h_.PopSent();
    h_.AdvanceTime(kRtt);
    SegmentTemplate synack = SynAck().Seq(5000).Ack(h_.iss() + 1).Win(65535).Mss(kMss).Ws(7);
    if (timestamps) synack.Ts(100, syn.header.options.timestamps->val);
    h_.Inject(synack);
    h_.ExpectSent(Ack());
    our_ = h_.iss() + 1;
    mss_ = h_.Stats(conn_).snd_mss;  // kMss less the timestamp option's 12 bytes
  }
  // Sends n segments; returns the TSval the first carried.
  uint32_t SendSegments(uint32_t n) {
    h_.SendString(conn_, std::string(n * mss_, 's'));
    uint32_t first_ts = 0;
    for (uint32_t i = 0; i < n; ++i) {
      const std::optional<SentSegment> s = h_.PopSent();
      if (!s.has_value()) break;
      if (i == 0 && s->header.options.timestamps) first_ts = s->header.options.timestamps->val;
    }
    return first_ts;
  }
  // Lets the retransmission timer fire; returns the TSval of the timeout retransmission.
  uint32_t TimeOut() {
    h_.AdvanceTime(h_.Stats(conn_).rto);
    const SentSegment r = *h_.PopSent();
    EXPECT_EQ(r.seq(), our_) << "the timeout resends the first segment";
    return r.header.options.timestamps ? r.header.options.timestamps->val : 0;
  }
  void PeerAck(uint32_t segments, uint32_t ts_ecr, bool timestamps = true) {
    SegmentTemplate t = Ack().Seq(SeqNum(5001)).Ack(our_ + segments * mss_).Win(1000);
    if (timestamps) t.Ts(200, ts_ecr);
    h_.Inject(t);
  }

  Harness h_;
  ConnId conn_;
  SeqNum our_;
  uint32_t mss_ = kMss;
};

TEST_F(SpuriousRtoTest, AnAckEchoingTheOriginalUndoesTheTimeout) {
  Open(/*timestamps=*/true);
  const uint32_t original_ts = SendSegments(10);
  const TcpStats before = h_.Stats(conn_);
  const uint32_t retransmit_ts = TimeOut();
  ASSERT_NE(original_ts, retransmit_ts) << "the retransmission must carry a later TSval";
  EXPECT_EQ(h_.Stats(conn_).cwnd, mss_) << "RFC 5681 §3.1: the loss window";
  EXPECT_EQ(h_.Stats(conn_).ca_state, TcpCaState::kLoss);

  PeerAck(10, original_ts);  // the ACK of the original flight, delayed past the RTO
  const TcpStats after = h_.Stats(conn_);
  EXPECT_EQ(after.spurious_rtos, 1u);
  EXPECT_EQ(after.ca_state, TcpCaState::kOpen);
  EXPECT_GE(after.cwnd, before.cwnd) << "RFC 4015: the window from before the timeout";
  EXPECT_EQ(after.ssthresh, before.ssthresh);
  // Sending resumes with new data, not with a go-back-N over what the peer holds.
  h_.SendString(conn_, std::string(mss_, 'n'));
  h_.ExpectSent(Data(mss_).Seq(our_ + 10 * mss_), "new data");
}

TEST_F(SpuriousRtoTest, AnAckEchoingTheRetransmissionKeepsTheReduction) {
  Open(/*timestamps=*/true);
  SendSegments(10);
  const TcpStats before = h_.Stats(conn_);
  const uint32_t retransmit_ts = TimeOut();
  PeerAck(1, retransmit_ts);  // the original was lost; the retransmission repaired it
  const TcpStats after = h_.Stats(conn_);
  EXPECT_EQ(after.spurious_rtos, 0u);
  EXPECT_LT(after.ssthresh, before.cwnd) << "RFC 5681 §3.1 eq. 4 stands";
  EXPECT_LE(after.cwnd, 2 * mss_);
}

TEST_F(SpuriousRtoTest, WithoutTimestampsNothingIsUndone) {
  Open(/*timestamps=*/false);
  SendSegments(10);
  const TcpStats before = h_.Stats(conn_);
  TimeOut();
  PeerAck(10, 0, /*timestamps=*/false);
  EXPECT_EQ(h_.Stats(conn_).spurious_rtos, 0u);
  EXPECT_LT(h_.Stats(conn_).ssthresh, before.cwnd) << "RFC 5681 §3.1 eq. 4 stands";
}

TEST_F(SpuriousRtoTest, AfterASecondTimeoutNothingIsUndone) {
  Open(/*timestamps=*/true);
  const uint32_t original_ts = SendSegments(10);
  TimeOut();
  TimeOut();  // the path stayed silent for two RTOs: that was no spurious timeout
  PeerAck(10, original_ts);
  EXPECT_EQ(h_.Stats(conn_).spurious_rtos, 0u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
