// SACK-based loss recovery on a connection: RFC 6675 §5 (entering on the first loss, which
// RACK marks, RFC 8985 §3: at once when DupThresh segments are SACKed above it), NextSeg() order,
// rescue retransmission, exit at RecoveryPoint), PRR (RFC 9937) deciding what each ACK lets out,
// RFC 6675 §5.1 (SACK information kept across a timeout) and D-SACKs (RFC 2883). Each test reads as
// a trace: segment n is [n * 1000, (n + 1) * 1000) of our data; the peer's ACKs name segments.
#include "gtest/gtest.h"
#include "stack/tcp/testing/sack_sender.h"

namespace tcpaas::tcp::testing {
namespace {

class SackRecoveryTest : public SackSenderTest {
 protected:
  // No timestamps: segments carry exactly 1000 bytes. The figures below are NewReno's
  // (ssthresh = FlightSize / 2, RFC 5681 §3.2); the stack's default is CUBIC. The
  // handshake takes no virtual time.
  SackRecoveryTest() : SackSenderTest({.congestion_control = "newreno", .rtt = Duration::Zero()}) {}
  void SetUp() override { Open(); }
};

TEST_F(SackRecoveryTest, ThreeSackedSegmentsStartRecoveryWithTheHead) {
  SendSegments(10);  // IW10: segments 0-9; segment 0 is lost
  PeerAck(0, {{1, 2}});
  PeerAck(0, {{1, 3}});
  h_.ExpectNothingSent("two SACKed segments: not yet (RFC 6675 IsLost)");
  EXPECT_EQ(Stats().ca_state, TcpCaState::kDisorder);
  PeerAck(0, {{1, 4}});
  const SentSegment rtx = ExpectSegment(0, "fast retransmit");
  EXPECT_FALSE(rtx.has(wire::tcp_flags::kPsh));
  h_.ExpectNothingSent();
  const TcpStats s = Stats();
  EXPECT_EQ(s.ca_state, TcpCaState::kRecovery);
  EXPECT_EQ(s.fast_recoveries, 1u);
  EXPECT_EQ(Retransmits(RetransmitKind::kRack), 1u);
  EXPECT_EQ(s.sacked_segments, 3u);
  EXPECT_EQ(s.lost_segments, 1u);
  EXPECT_EQ(s.retrans_segments, 1u);
  EXPECT_EQ(h_.counters().tcp_fast_recoveries, 1u);
}

TEST_F(SackRecoveryTest, IsLostStartsRecoveryBeforeThreeDuplicates) {
  // RFC 6675 §5 step 4: "DupAcks >= DupThresh or IsLost(HighACK + 1)": a single ACK that
  // SACKs three segments (ACK loss or stretch ACKs) is enough.
  SendSegments(10);
  PeerAck(0, {{1, 4}});
  ExpectSegment(0, "fast retransmit after one ACK");
  EXPECT_EQ(Stats().ca_state, TcpCaState::kRecovery);
}

TEST_F(SackRecoveryTest, DuplicateAcksWithoutSackBlocksDoNotCount) {
  // RFC 6675 §2: with SACK, a duplicate ACK is one that SACKs new data.
  SendSegments(10);
  for (int i = 0; i < 4; ++i) PeerAck(0);
  h_.ExpectNothingSent();
  EXPECT_EQ(Stats().fast_recoveries, 0u);
}

TEST_F(SackRecoveryTest, NextSegRetransmitsLostHolesInOrderAndNeverSackedData) {
  SendSegments(10);
  // Segments 0 and 2 lost; 1 and 3-5 SACKed, in one ACK.
  PeerAck(0, {{3, 6}, {1, 2}});
  ExpectSegment(0, "the head first");
  // PRR-SSRB: pipe (6-9 and the retransmission = 5) equals ssthresh (5): nothing more yet.
  h_.ExpectNothingSent();
  PeerAck(0, {{3, 7}, {1, 2}});  // 6 arrives: one delivered, one may go
  ExpectSegment(2, "the next lost hole; segment 1 is SACKed and skipped");
  h_.ExpectNothingSent();
  EXPECT_EQ(Retransmits(RetransmitKind::kRack), 2u);
}

TEST_F(SackRecoveryTest, PrrCrbSpreadsManyLossesOverTheAcksAndSsrbOnlyOnSafeAcks) {
  // Segments 0-4 lost, 5-7 SACKed: pipe (8, 9) is far below ssthresh (5 segments). Plain
  // RFC 6675 would send three retransmissions at once (cwnd = ssthresh). RFC 9937 §6: an ACK
  // that does not advance SND.UNA gets the conservative bound (PRR-CRB), as much as it
  // delivered; one that does and shows no new loss (a SafeACK) one segment more (PRR-SSRB).
  SendSegments(10);
  PeerAck(0, {{5, 6}});
  PeerAck(0, {{5, 7}});
  PeerAck(0, {{5, 8}});
  ExpectSegment(0, "fast retransmit: delivered 1, CRB allows 1");
  h_.ExpectNothingSent("not a second");
  PeerAck(0, {{5, 9}});
  ExpectSegment(1, "CRB: one delivered, one sent");
  h_.ExpectNothingSent();
  PeerAck(0, {{5, 10}});
  ExpectSegment(2, "CRB");
  h_.ExpectNothingSent();
  PeerAck(1, {{5, 10}});  // the retransmission of 0 arrived: SND.UNA advances, no new loss
  ExpectSegment(3, "SafeACK: delivered (1) + 1");
  ExpectSegment(4, "the last hole");
  h_.ExpectNothingSent();
  EXPECT_EQ(Retransmits(RetransmitKind::kRack), 5u);
  EXPECT_EQ(Retransmits(RetransmitKind::kTimeout), 0u);
}

TEST_F(SackRecoveryTest, PrrProportionalPartSendsNewDataAtSsthreshOverRecoverFs) {
  // One loss among 10: pipe stays above ssthresh (5) for a while, and PRR (RFC 9937 §6)
  // sends ssthresh / RecoverFS = one segment for every two delivered.
  SendSegments(10);
  PeerAck(0, {{1, 2}});
  PeerAck(0, {{1, 3}});
  PeerAck(0, {{1, 4}});
  ExpectSegment(0, "fast retransmit");
  WriteSegments(10);  // new data waits for PRR
  h_.ExpectNothingSent("sndcnt is used up");
  // pipe = 5 (4-8 and the retransmission) + ... : each ACK below SACKs one more segment.
  PeerAck(0, {{1, 5}});  // pipe 6 > 5: ceil(2 * 5 / 10) - 1 = 0
  h_.ExpectNothingSent("proportional: 2 delivered allow 1 sent");
  PeerAck(0, {{1, 6}});  // pipe 5: SSRB, ssthresh - pipe = 0
  h_.ExpectNothingSent("at ssthresh");
  PeerAck(0, {{1, 7}});  // pipe 4: one
  ExpectSegment(10, "new data");
  h_.ExpectNothingSent();
  EXPECT_EQ(Stats().cwnd, 5 * mss());
}

TEST_F(SackRecoveryTest, FullAcknowledgmentEndsRecovery) {
  SendSegments(10);
  PeerAck(0, {{1, 4}});
  ExpectSegment(0, "fast retransmit");
  PeerAck(4, {{5, 10}});  // partial: 4 lost as well
  ExpectSegment(4, "the second hole");
  EXPECT_EQ(Stats().ca_state, TcpCaState::kRecovery);
  PeerAck(10);  // RecoveryPoint (segment 9's end) acknowledged: RFC 6675 §5 (A)
  TcpStats s = Stats();
  EXPECT_EQ(s.ca_state, TcpCaState::kOpen);
  EXPECT_EQ(s.sacked_segments, 0u);
  EXPECT_EQ(s.retrans_segments, 0u);
  EXPECT_LE(s.cwnd, s.ssthresh);
  EXPECT_EQ(s.fast_recoveries, 1u);
}

TEST_F(SackRecoveryTest, TailLostWithTheHeadIsResentOnThePartialAck) {
  // Segments 0 and 4 (the last) lost, no new data. RFC 6675 would need its rescue
  // retransmission (NextSeg() rule 4) for 4; RACK (RFC 8985 §6.2) sees that the
  // retransmission of 0, sent after 4, was delivered: 4 is lost.
  SendSegments(5);
  PeerAck(0, {{1, 4}});
  ExpectSegment(0, "fast retransmit");
  h_.ExpectNothingSent();
  PeerAck(4);  // the retransmission arrived; segment 4 is the highest unSACKed
  ExpectSegment(4, "RACK: lost");
  h_.ExpectNothingSent();
  EXPECT_EQ(Retransmits(RetransmitKind::kRack), 2u);
  EXPECT_EQ(Retransmits(RetransmitKind::kTimeout), 0u);
}

TEST_F(SackRecoveryTest, RescueOfATailEndingInTheFin) {
  // Segment 0, segment 4 and the FIN lost: the rescue resends all of segment 4 with the FIN.
  SendSegments(5);
  ASSERT_TRUE(h_.layer().ShutdownWrite(conn_, h_.now()).ok());
  h_.ExpectSent(FinAck().Seq(At(5)));
  PeerAck(0, {{1, 4}});
  ExpectSegment(0, "fast retransmit");
  PeerAck(4);
  h_.ExpectSent(SegmentTemplate(wire::tcp_flags::kAck | wire::tcp_flags::kFin)
                    .Seq(At(4))
                    .Len(mss())
                    .GeneratedPayload(),
                "rescue: segment 4 and the FIN");
  h_.ExpectNothingSent();
  PeerAck(5);  // only the FIN's sequence number is left: acknowledged with it
  h_.Inject(Ack().Seq(kPeerIss + 1).Ack(At(5) + 1).Win(kPeerWindow));
  EXPECT_EQ(h_.State(conn_), TcpState::kFinWait2);
}

TEST_F(SackRecoveryTest, SackBlocksBeyondWhatWasSentAreIgnored) {
  SendSegments(4);
  PeerAck(0, {{2, 9}});  // SACKs data never sent (hostile or broken peer)
  PeerAck(0, {{3, 4}, {1, 2}});
  const TcpStats s = Stats();
  EXPECT_EQ(s.sacked_segments, 2u);
  EXPECT_EQ(s.fast_recoveries, 0u);
}

TEST_F(SackRecoveryTest, TimeoutResendsOnlyWhatIsNotSacked) {
  // RFC 6675 §5.1: SACK information survives the RTO; go-back-N skips SACKed data.
  SendSegments(6);
  PeerAck(0, {{2, 4}});  // 2 and 3 SACKed: RACK waits a reordering window
  h_.ExpectNothingSent();
  ASSERT_TRUE(h_.RunNextTimer());
  ExpectSegment(0, "RACK (RFC 8985 §6.2): 0 and 1 are lost, fast recovery resends the head");
  h_.ExpectNothingSent("cwnd = ssthresh = pipe");
  ASSERT_TRUE(h_.RunNextTimer());  // nothing more comes back
  ExpectSegment(0, "RTO: the head");
  h_.ExpectNothingSent("cwnd = 1 segment");
  EXPECT_EQ(Stats().ca_state, TcpCaState::kLoss);
  EXPECT_EQ(Stats().lost_segments, 4u) << "0, 1, 4, 5";
  PeerAck(1, {{2, 4}});  // cwnd 2
  ExpectSegment(1, "next hole");
  ExpectSegment(4, "2 and 3 are SACKed: skipped");
  h_.ExpectNothingSent();
  PeerAck(5);  // 1 and 4 arrived
  ExpectSegment(5, "the last hole");
  PeerAck(6);
  EXPECT_EQ(Stats().ca_state, TcpCaState::kOpen);
  EXPECT_EQ(Retransmits(RetransmitKind::kTimeout), 4u);
  EXPECT_EQ(Retransmits(RetransmitKind::kRack), 1u);
}

TEST_F(SackRecoveryTest, TimeoutAfterRenegingForgetsTheScoreboard) {
  // RFC 2018 §8: the peer acknowledged up to the middle of what it SACKed: it dropped the
  // rest. At the timeout the SACKed data is resent too.
  SendSegments(4);
  PeerAck(0, {{1, 3}});
  PeerAck(2);  // SND.UNA lands on SACKed data (segment 2)
  ASSERT_TRUE(h_.RunNextTimer());
  ExpectSegment(3, "the tail loss probe (RFC 8985 §7.3) resends the last segment");
  ASSERT_TRUE(h_.RunNextTimer());
  ExpectSegment(2, "RTO resends the reneged segment");
  EXPECT_EQ(Stats().sacked_segments, 0u);
}

TEST_F(SackRecoveryTest, DsackIsCountedNotRecorded) {
  SendSegments(4);
  PeerAck(1, {{0, 1}});  // RFC 2883: segment 0 arrived twice
  EXPECT_EQ(Stats().dsacks_received, 1u);
  EXPECT_EQ(Stats().sacked_segments, 0u);
  PeerAck(1, {{3, 4}, {2, 4}});  // inside the second block: a D-SACK too; 2-3 are SACKed
  const TcpStats s = Stats();
  EXPECT_EQ(s.dsacks_received, 2u);
  EXPECT_EQ(s.sacked_segments, 2u);
  EXPECT_EQ(s.fast_recoveries, 0u);
}

TEST_F(SackRecoveryTest, LimitedTransmitOnSackedDuplicates) {
  // RFC 3042 with RFC 6675's duplicate ACKs: one new segment for each of the first two.
  SendSegments(10);
  WriteSegments(4);
  h_.ExpectNothingSent("cwnd full");
  PeerAck(0, {{1, 2}});
  ExpectSegment(10, "limited transmit 1");
  PeerAck(0, {{1, 3}});
  ExpectSegment(11, "limited transmit 2");
  PeerAck(3);  // reordering, not loss
  EXPECT_EQ(Stats().fast_recoveries, 0u);
  EXPECT_EQ(Stats().ca_state, TcpCaState::kOpen);
}

class SackRecoveryWithoutSack : public SackSenderTest {
 protected:
  SackRecoveryWithoutSack() : SackSenderTest({.sack = false, .rtt = Duration::Zero()}) {}
  void SetUp() override { Open(); }
};

TEST_F(SackRecoveryWithoutSack, PeersWithoutSackKeepNewReno) {
  PeerAck(0);  // the scaled window, for duplicates
  SendSegments(10);
  for (int i = 0; i < 3; ++i) PeerAck(0);
  ExpectSegment(0, "RFC 5681 fast retransmit");
  EXPECT_EQ(Stats().cwnd, Stats().ssthresh + 3 * mss()) << "NewReno inflation";
}

}  // namespace
}  // namespace tcpaas::tcp::testing
