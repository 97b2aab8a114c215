// Tail loss probes (RFC 8985 §7): when the PTO fires, when it does not, what the probe
// sends, and the congestion response when it repaired a loss (§7.4). The connection's
// handshake took 50 ms: SRTT 50 ms, RTO 250 ms; segment n is [n * 1000, (n + 1) * 1000).
#include <vector>

#include "gtest/gtest.h"
#include "stack/tcp/testing/sack_sender.h"

namespace tcpaas::tcp::testing {
namespace {

using TlpTest = SackSenderTest;

struct PtoCase {
  const char* name;
  uint32_t segments;
  Duration pto;
};

TEST_F(TlpTest, ProbeTimeoutGrid) {
  // §7.2: PTO = 2 * SRTT; + WCDelAckT (200 ms) with one segment in flight; capped by the RTO.
  const std::vector<PtoCase> cases = {
      {"several segments: 2 * SRTT", 4, Duration::Millis(100)},
      {"one segment: 2 * SRTT + 200 ms, capped by the RTO", 1, Duration::Millis(250)},
  };
  for (const PtoCase& c : cases) {
    Open();  // one connection per case, in the same harness
    const Instant sent = h_.now();
    SendSegments(c.segments);
    ASSERT_TRUE(h_.RunNextTimer()) << c.name;
    EXPECT_EQ(h_.now() - sent, c.pto) << c.name;
    ExpectSegment(c.segments - 1, "the last segment, again");
    EXPECT_EQ(Retransmits(RetransmitKind::kTlp), 1u) << c.name;
    EXPECT_EQ(Stats().rto_timeouts, 0u) << c.name;
    // §7.3: the RTO watches the probe.
    ASSERT_TRUE(h_.RunNextTimer()) << c.name;
    EXPECT_EQ(h_.now() - sent, c.pto + Duration::Millis(250)) << c.name;
    EXPECT_EQ(Stats().rto_timeouts, 1u) << c.name;
    h_.DropSent();
    ASSERT_TRUE(h_.layer().Abort(conn_, h_.now()).ok());
    h_.DropSent();
  }
}

TEST_F(TlpTest, NoProbeWithoutSack) {
  // §7.2: TLP needs SACK; the RTO stays the timer.
  Open({.sack = false});
  const Instant sent = h_.now();
  SendSegments(4);
  ASSERT_TRUE(h_.RunNextTimer());
  EXPECT_EQ(h_.now() - sent, Duration::Millis(250));
  EXPECT_EQ(Retransmits(RetransmitKind::kTlp), 0u);
  EXPECT_EQ(Stats().rto_timeouts, 1u);
}

TEST_F(TlpTest, ProbeSendsNewDataWhenThereIsSome) {
  // §7.3: a segment never sent goes as the probe if the peer's window takes it, cwnd or not.
  Open();
  WriteSegments(12);
  for (int i = 0; i < 10; ++i) h_.PopSent();  // IW10
  h_.ExpectNothingSent("cwnd is full");
  ASSERT_TRUE(h_.RunNextTimer());
  ExpectSegment(10, "new data as the probe");
  h_.ExpectNothingSent("one probe");
  EXPECT_EQ(Retransmits(RetransmitKind::kTlp), 0u) << "not a retransmission";
}

TEST_F(TlpTest, AcknowledgedDataRestartsTheProbeTimer) {
  // §7.2: the PTO is restarted by an ACK of new data.
  Open();
  SendSegments(4);
  h_.AdvanceTime(rtt());
  PeerAck(2);  // an RTT sample of 50 ms: SRTT stays 50 ms
  h_.AdvanceTime(Duration::Millis(99));
  h_.ExpectNothingSent("PTO runs from the ACK");
  h_.AdvanceTime(Duration::Millis(1));
  ExpectSegment(3, "probe");
}

struct EpisodeCase {
  const char* name;
  bool dsack;   // the peer reports the probe as a duplicate
  bool reduce;  // §7.4: the probe repaired a loss: cwnd comes down
};

TEST_F(TlpTest, EpisodeEndsWithOrWithoutCongestionResponse) {
  const std::vector<EpisodeCase> cases = {
      {"probe repaired the lost tail", false, true},
      {"both original and probe arrived (D-SACK)", true, false},
  };
  for (const EpisodeCase& c : cases) {
    Open();
    SendSegments(4);
    h_.AdvanceTime(rtt());
    PeerAck(3);  // segment 3 is the tail
    const uint32_t cwnd_before = Stats().cwnd;
    ASSERT_TRUE(h_.RunNextTimer());
    ExpectSegment(3, "probe");
    h_.AdvanceTime(rtt());
    if (c.dsack) {
      PeerAck(4);
      PeerAck(4, {{3, 4}});  // RFC 2883: the second copy of segment 3
    } else {
      PeerAck(4);
    }
    // More data, acknowledged beyond TLP.end_seq: the episode ends.
    SendSegments(1);
    h_.AdvanceTime(rtt());
    PeerAck(5);
    const TcpStats s = Stats();
    if (c.reduce) {
      EXPECT_LT(s.cwnd, cwnd_before) << c.name;
      EXPECT_EQ(s.cwnd, s.ssthresh) << c.name;
    } else {
      EXPECT_GE(s.cwnd, cwnd_before) << c.name;
    }
    EXPECT_EQ(s.ca_state, TcpCaState::kOpen) << c.name;
    ASSERT_TRUE(h_.layer().Abort(conn_, h_.now()).ok());
    h_.DropSent();
  }
}

TEST_F(TlpTest, NoProbeInRecovery) {
  // §7.2: in fast recovery the RTO, not the PTO, runs.
  Open();
  SendSegments(10);
  h_.AdvanceTime(rtt());
  PeerAck(0, {{1, 4}});
  h_.PopSent();  // the fast retransmission
  const Instant at = h_.now();
  ASSERT_TRUE(h_.RunNextTimer());
  EXPECT_EQ(h_.now() - at, Duration::Millis(250));
  EXPECT_EQ(Retransmits(RetransmitKind::kTlp), 0u);
  EXPECT_EQ(Stats().rto_timeouts, 1u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
