// Retransmission: RFC 6298 timer, backoff and Karn's rule, timestamps for unambiguous RTT
// samples (RFC 7323 §4), retry limits and timeouts (RFC 9293 §3.8.3, §3.10.8), and NewReno
// fast retransmit / fast recovery (RFC 5681 §3.2, RFC 6582) with limited transmit (RFC 3042).
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

// An established connection whose handshake took 50 ms: SRTT 50 ms, RTTVAR 25 ms,
// RTO = 50 + max(200, 4 * 25) = 250 ms. The peer offers SACK (unless PeerSacks() says
// otherwise) but not timestamps.
class RetransmitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = h_.Connect(kRemote, Options());
    h_.ExpectSent(Syn());
    h_.AdvanceTime(Duration::Millis(50));
    SegmentTemplate synack = SynAck().Seq(5000).Ack(h_.iss() + 1).Win(65535).Mss(1460);
    if (PeerSacks()) synack.SackOk();
    h_.Inject(synack);
    h_.ExpectSent(Ack());
    una_ = h_.iss() + 1;
    peer_ = SeqNum(5001);
  }
  virtual ConnectionOptions Options() { return {}; }
  virtual bool PeerSacks() { return true; }
  void PeerAck(SeqNum ack, uint16_t win = 65535) { h_.Inject(Ack().Seq(peer_).Ack(ack).Win(win)); }

  Harness h_;
  ConnId conn_;
  SeqNum una_;
  SeqNum peer_;
};

// The RTO rules on their own: with SACK, a tail loss probe (RFC 8985 §7, see tlp_test.cc)
// fires before the first RTO.
class RtoWithoutSackTest : public RetransmitTest {
  bool PeerSacks() override { return false; }
};

TEST_F(RetransmitTest, HandshakeGaveTheFirstRttSample) {
  const TcpStats s = h_.Stats(conn_);
  EXPECT_EQ(s.srtt, Duration::Millis(50));
  EXPECT_EQ(s.rttvar, Duration::Millis(25));
  EXPECT_EQ(s.rto, Duration::Millis(250));
  EXPECT_EQ(h_.counters().tcp_rtt.count, 1u);
}

TEST_F(RtoWithoutSackTest, BackoffDoublesUpToRtoMaxThenRetries2Abort) {
  h_.SendString(conn_, "data");
  h_.ExpectSent(Data("data").Seq(una_));
  Duration rto = Duration::Millis(250);
  Instant last = h_.now();
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(h_.RunNextTimer());
    h_.ExpectSent(Data("data").Seq(una_), "retransmission " + std::to_string(i + 1));
    EXPECT_EQ(h_.now() - last, rto) << "retransmission " << i + 1;
    last = h_.now();
    rto = Min(rto * 2, Duration::Seconds(120));
  }
  EXPECT_EQ(h_.Stats(conn_).rto_timeouts, 15u);
  EXPECT_EQ(h_.Stats(conn_).retransmits[static_cast<size_t>(RetransmitKind::kTimeout)], 15u);
  ASSERT_TRUE(h_.RunNextTimer());  // the 16th expiry: retries2 = 15 exhausted
  h_.ExpectNothingSent("no RST when the peer is unreachable");
  EXPECT_EQ(h_.State(conn_), TcpState::kClosed);
  const auto closed = h_.events().Last(TcpEventType::kClosed, conn_);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->reason, CloseReason::kRetransmitTimeout);
  EXPECT_EQ(closed->bytes_acked, 0u);
  EXPECT_EQ(h_.counters().tcp_closes[static_cast<size_t>(CloseReason::kRetransmitTimeout)], 1u);
}

TEST_F(RtoWithoutSackTest, KarnNoSampleFromARetransmittedSegment) {
  h_.SendString(conn_, "data");
  h_.ExpectSent(Data("data"));
  h_.AdvanceTime(Duration::Millis(250));
  h_.ExpectSent(Data("data"), "RTO");
  h_.AdvanceTime(Duration::Millis(100));
  PeerAck(una_ + 4);  // for the original or for the retransmission? Unknown: no sample.
  EXPECT_EQ(h_.Stats(conn_).srtt, Duration::Millis(50));
  EXPECT_EQ(h_.counters().tcp_rtt.count, 1u);
  // RFC 6298 §5: without a new measurement the backed-off RTO stays (as Linux).
  EXPECT_EQ(h_.Stats(conn_).rto, Duration::Millis(500)) << "no sample, no collapse";
  EXPECT_EQ(h_.Stats(conn_).rto_backoff, 1u);
  // The next segment is timed again; its sample collapses the backoff.
  h_.SendString(conn_, "more");
  h_.ExpectSent(Data("more"));
  h_.AdvanceTime(Duration::Millis(90));
  PeerAck(una_ + 8);
  EXPECT_EQ(h_.counters().tcp_rtt.count, 2u);
  EXPECT_EQ(h_.Stats(conn_).rto_backoff, 0u);
  // RFC 6298 §2.3: SRTT = 7/8 * 50 + 1/8 * 90 = 55 ms.
  EXPECT_EQ(h_.Stats(conn_).srtt, Duration::Millis(55));
}

TEST(RetransmitWithTimestamps, EchoedTimestampsMeasureEvenRetransmissions) {
  Harness h;
  const ConnId c = h.Connect();
  h.ExpectSent(Syn().Ts());
  h.Inject(SynAck().Seq(5000).Ack(h.iss() + 1).Win(65535).Ts(100, 0));
  h.ExpectSent(Ack().TsEcr(100));
  h.SendString(c, "data");
  h.ExpectSent(Data("data"));
  h.AdvanceTime(Duration::Millis(200));
  const SentSegment rtx = h.ExpectSent(Data("data"), "RTO");
  h.AdvanceTime(Duration::Millis(30));
  // The peer echoes the retransmission's TSval: 30 ms, unambiguous (RFC 7323 §4.1).
  h.Inject(Ack().Seq(5001).Ack(h.iss() + 5).Ts(101, rtx.header.options.timestamps->val));
  EXPECT_EQ(h.counters().tcp_rtt.count, 2u);
  // SRTT = 7/8 * 0 + 1/8 * 30 = 3.75 ms (the handshake sample was 0).
  EXPECT_EQ(h.Stats(c).srtt, Duration::Micros(3750));
}

// NewReno is the recovery for peers without SACK (with SACK, see sack_recovery_test.cc).
class NewRenoRecoveryTest : public RetransmitTest {
  bool PeerSacks() override { return false; }
  // RFC 6582 with NewReno's ssthresh = FlightSize / 2 (RFC 5681 §3.2); the default is CUBIC.
  ConnectionOptions Options() override {
    ConnectionOptions o;
    o.congestion_control = "newreno";
    return o;
  }
};

TEST_F(NewRenoRecoveryTest, FastRetransmitAndNewRenoRecovery) {
  h_.SendString(conn_, std::string(10 * 1460, 'f'));
  for (int i = 0; i < 10; ++i) h_.ExpectSent(Data(1460).Seq(una_ + 1460 * i));  // IW10
  h_.SendString(conn_, std::string(4 * 1460, 'g'));
  h_.ExpectNothingSent("cwnd is full");
  // Segment 0 lost. Duplicate ACKs 1 and 2 each let one new segment out (RFC 3042).
  PeerAck(una_);
  PeerAck(una_);
  PeerAck(una_);
  h_.ExpectSent(Data(1460).Seq(una_ + 1460 * 10), "limited transmit 1");
  h_.ExpectSent(Data(1460).Seq(una_ + 1460 * 11), "limited transmit 2");
  h_.ExpectSent(Data(1460).Seq(una_), "fast retransmit on the third duplicate");
  h_.ExpectNothingSent();
  TcpStats s = h_.Stats(conn_);
  EXPECT_EQ(s.fast_recoveries, 1u);
  EXPECT_EQ(s.dup_acks_received, 3u);
  // FlightSize / 2 with the FlightSize before limited transmit (10 segments, not the 12
  // out now): RFC 5681 §3.2 step 2.
  EXPECT_EQ(s.ssthresh, 10u * 1460 / 2);
  EXPECT_EQ(s.cwnd, s.ssthresh + 3 * 1460);  // inflated by the three duplicates
  EXPECT_EQ(s.retransmits[static_cast<size_t>(RetransmitKind::kFast)], 1u);
  // More duplicates inflate cwnd until new data may go (cwnd above the 12 segments out).
  for (int i = 0; i < 4; ++i) PeerAck(una_);
  EXPECT_EQ(h_.Stats(conn_).cwnd, s.ssthresh + 7 * 1460);
  h_.ExpectNothingSent("cwnd of 12 segments, 12 outstanding");
  PeerAck(una_);
  h_.ExpectSent(Data(1460).Seq(una_ + 1460 * 12));
  // A partial ACK (segments 0-4; 5 lost too) retransmits the next hole at once.
  PeerAck(una_ + 1460 * 5);
  h_.ExpectSent(Data(1460).Seq(una_ + 1460 * 5), "partial ACK");
  EXPECT_EQ(h_.Stats(conn_).retransmits[static_cast<size_t>(RetransmitKind::kFast)], 2u);
  // The full ACK (everything sent before recovery began) ends recovery: cwnd = ssthresh.
  PeerAck(una_ + 1460 * 12);
  s = h_.Stats(conn_);
  EXPECT_LE(s.cwnd, s.ssthresh);
  EXPECT_EQ(h_.counters().tcp_fast_recoveries, 1u);
}

TEST_F(RetransmitTest, DuplicatesWithDataOrWindowChangeAreNotDuplicateAcks) {
  h_.SendString(conn_, std::string(4 * 1460, 'f'));
  for (int i = 0; i < 4; ++i) h_.PopSent();
  PeerAck(una_, 65000);  // window changed
  PeerAck(una_, 64000);
  PeerAck(una_, 63000);
  h_.Inject(Data("x").Seq(peer_).Ack(una_).Win(63000));  // carries data
  EXPECT_EQ(h_.Stats(conn_).dup_acks_received, 0u);
  EXPECT_EQ(h_.Stats(conn_).fast_recoveries, 0u);
}

TEST_F(RtoWithoutSackTest, TimeoutGoesBackNAndCollapsesCwnd) {
  h_.SendString(conn_, std::string(3 * 1460, 'f'));
  for (int i = 0; i < 3; ++i) h_.PopSent();
  h_.AdvanceTime(Duration::Millis(250));
  h_.ExpectSent(Data(1460).Seq(una_), "only the first segment: cwnd is one segment");
  h_.ExpectNothingSent();
  EXPECT_EQ(h_.Stats(conn_).cwnd, 1460u);
  PeerAck(una_ + 1460);
  h_.ExpectSent(Data(1460).Seq(una_ + 1460));  // slow start again: go-back-N
  h_.ExpectSent(Data(1460).Seq(una_ + 2920));
  EXPECT_EQ(h_.Stats(conn_).retransmits[static_cast<size_t>(RetransmitKind::kTimeout)], 3u);
}

class UserTimeoutTest : public RetransmitTest {
  ConnectionOptions Options() override {
    ConnectionOptions o;
    o.user_timeout = Duration::Seconds(5);
    return o;
  }
};

TEST_F(UserTimeoutTest, DataUnacknowledgedForTheUserTimeoutAborts) {
  h_.SendString(conn_, "data");
  h_.ExpectSent(Data("data"));
  h_.AdvanceTime(Duration::Seconds(4));
  EXPECT_EQ(h_.State(conn_), TcpState::kEstablished);
  PeerAck(una_ + 2);  // progress restarts the clock
  h_.AdvanceTime(Duration::Seconds(4));
  EXPECT_EQ(h_.State(conn_), TcpState::kEstablished);
  h_.AdvanceTime(Duration::Seconds(1));
  EXPECT_EQ(h_.State(conn_), TcpState::kClosed);
  EXPECT_EQ(h_.Stats(conn_).close_reason, CloseReason::kUserTimeout);
  EXPECT_EQ(h_.events().Last(TcpEventType::kClosed, conn_)->bytes_acked, 2u);
}

TEST(SynRetransmission, SixRetriesThenSynTimeout) {
  Harness h;
  const ConnId c = h.Connect();
  h.ExpectSent(Syn());
  const Instant start = h.now();
  // Linux: 1, 2, 4, 8, 16, 32 s apart, giving up 64 s after the last one (127 s in all).
  for (int64_t at : {1, 3, 7, 15, 31, 63}) {
    ASSERT_TRUE(h.RunNextTimer());
    EXPECT_EQ(h.now() - start, Duration::Seconds(at));
    h.ExpectSent(Syn().Seq(h.iss()));
  }
  ASSERT_TRUE(h.RunNextTimer());
  EXPECT_EQ(h.now() - start, Duration::Seconds(127));
  h.ExpectNothingSent();
  EXPECT_EQ(h.State(c), TcpState::kClosed);
  EXPECT_EQ(h.Stats(c).close_reason, CloseReason::kSynTimeout);
}

TEST(SynRetransmission, ConnectTimeoutEndsTheAttempt) {
  Harness h;
  ConnectionOptions o;
  o.connect_timeout = Duration::Millis(2500);
  const ConnId c = h.Connect(kRemote, o);
  h.ExpectSent(Syn());
  h.AdvanceTime(Duration::Millis(2499));
  h.ExpectSent(Syn(), "the retransmission at 1 s");
  EXPECT_EQ(h.State(c), TcpState::kSynSent);
  h.AdvanceTime(Duration::Millis(1));
  EXPECT_EQ(h.State(c), TcpState::kClosed);
  EXPECT_EQ(h.Stats(c).close_reason, CloseReason::kSynTimeout);
  h.ExpectNothingSent();
}

TEST(SynRetransmission, SynAckRetriesThenTheChildIsDropped) {
  Harness h;
  const ListenerId l = h.Listen(Port(80));
  h.set_peer(Port(80), Endpoint{kRemoteAddr, Port(999)});
  h.Inject(Syn().Seq(100).Win(65535));
  const SentSegment first = h.ExpectSent(SynAck().Ack(101));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(h.RunNextTimer());
    h.ExpectSent(SynAck().Seq(first.seq()).Ack(101));
  }
  ASSERT_TRUE(h.RunNextTimer());
  h.ExpectNothingSent();
  EXPECT_EQ(h.layer().connection_count(), 0u);
  EXPECT_FALSE(h.layer().Accept(l).has_value());
  // A duplicate SYN during SYN-RECEIVED gets the SYN-ACK again.
  h.Inject(Syn().Seq(100).Win(65535));
  const SentSegment again = h.ExpectSent(SynAck().Ack(101));
  h.Inject(Syn().Seq(100).Win(65535));
  h.ExpectSent(SynAck().Seq(again.seq()).Ack(101));
}

}  // namespace
}  // namespace tcpaas::tcp::testing
