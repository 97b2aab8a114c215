// The TCP_INFO side of TcpStats: congestion state, segment counts in flight, lost and
// retransmitted, advertised MSS, RTO backoff, probes and the age of the last data; the
// degree of reordering (tcpi_reordering).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"

namespace tcpaas::tcp::testing {
namespace {

constexpr uint32_t kMss = 1000;

class TcpInfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ConnectionOptions o;
    o.mss_clamp = 1200;
    o.congestion_control = "newreno";  // tcpi_snd_ssthresh below is FlightSize / 2
    conn_ = h_.Establish(o, SeqNum(5000), SynAck().Win(65535).Mss(kMss).SackOk().Ws(7));
    our_ = h_.iss() + 1;
    peer_ = SeqNum(5001);
    PeerAcks(0);  // the peer's scaled window, so later ACKs can be duplicates
  }
  void PeerAcks(uint32_t bytes, uint16_t win = 1000) {
    h_.Inject(Ack().Seq(peer_).Ack(our_ + bytes).Win(win));
  }
  TcpStats Info() { return h_.Stats(conn_); }
  Harness h_;
  ConnId conn_;
  SeqNum our_;
  SeqNum peer_;
};

TEST_F(TcpInfoTest, AtRest) {
  const TcpStats s = Info();
  EXPECT_EQ(s.ca_state, TcpCaState::kOpen);
  EXPECT_EQ(s.unacked_segments, 0u);
  EXPECT_EQ(s.lost_segments, 0u);
  EXPECT_EQ(s.retrans_segments, 0u);
  EXPECT_EQ(s.sacked_segments, 0u);
  EXPECT_EQ(s.reordering, 3u);
  EXPECT_EQ(s.advmss, 1200u) << "the MSS we announced (clamped)";
  EXPECT_EQ(s.rto_backoff, 0u);
  EXPECT_EQ(s.probes, 0u);
  EXPECT_EQ(TcpCaStateName(s.ca_state), "open");
}

TEST_F(TcpInfoTest, DuplicateAcksThenFastRecovery) {
  h_.SendString(conn_, std::string(8 * kMss, 'i'));
  h_.DropSent();
  EXPECT_EQ(Info().unacked_segments, 8u);
  // A SACK peer's duplicate ACKs carry SACK blocks (RFC 6675 §2 counts only those).
  auto sack_dup = [&](uint32_t segments) {
    h_.Inject(Ack().Seq(peer_).Ack(our_).Win(1000).Sack(our_ + kMss, our_ + (1 + segments) * kMss));
  };
  sack_dup(1);
  EXPECT_EQ(Info().ca_state, TcpCaState::kDisorder);
  EXPECT_EQ(Info().sacked_segments, 1u);
  sack_dup(2);
  sack_dup(3);
  const TcpStats s = Info();
  EXPECT_EQ(s.ca_state, TcpCaState::kRecovery);
  EXPECT_EQ(s.sacked_segments, 3u);
  EXPECT_EQ(s.lost_segments, 1u);
  EXPECT_EQ(s.retrans_segments, 1u) << "the head was retransmitted";
  PeerAcks(8 * kMss);  // everything: a full acknowledgment ends recovery
  EXPECT_EQ(Info().ca_state, TcpCaState::kOpen);
  EXPECT_EQ(Info().retrans_segments, 0u);
}

TEST_F(TcpInfoTest, RetransmissionTimeoutEntersLossUntilRepaired) {
  h_.SendString(conn_, std::string(4 * kMss, 'i'));
  h_.DropSent();
  ASSERT_TRUE(h_.RunNextTimer());  // the tail loss probe (RFC 8985 §7.3), lost too
  EXPECT_EQ(Info().ca_state, TcpCaState::kOpen);
  ASSERT_TRUE(h_.RunNextTimer());  // RTO
  TcpStats s = Info();
  EXPECT_EQ(s.ca_state, TcpCaState::kLoss);
  EXPECT_EQ(s.lost_segments, 4u);
  EXPECT_EQ(s.retrans_segments, 1u);
  EXPECT_EQ(s.rto_backoff, 1u);
  ASSERT_TRUE(h_.RunNextTimer());  // and again
  EXPECT_EQ(Info().rto_backoff, 2u);
  PeerAcks(kMss);
  s = Info();
  EXPECT_EQ(s.ca_state, TcpCaState::kLoss) << "three segments of the episode are missing";
  EXPECT_EQ(s.lost_segments, 3u);
  // Acknowledged retransmissions give no RTT sample (Karn): the backoff stays until one
  // does (RFC 6298 §5, as Linux).
  EXPECT_EQ(s.rto_backoff, 2u);
  PeerAcks(4 * kMss);
  EXPECT_EQ(Info().ca_state, TcpCaState::kOpen);
  EXPECT_EQ(Info().lost_segments, 0u);
}

TEST_F(TcpInfoTest, ZeroWindowProbesAreCountedUntilAnswered) {
  PeerAcks(0, 0);
  h_.SendString(conn_, "x");
  ASSERT_TRUE(h_.RunNextTimer());
  ASSERT_TRUE(h_.RunNextTimer());
  EXPECT_EQ(Info().probes, 2u);
  PeerAcks(0, 0);
  EXPECT_EQ(Info().probes, 0u);
}

TEST_F(TcpInfoTest, LastDataReceivedAgeStartsAtTheHandshake) {
  const Instant established = h_.now();
  h_.AdvanceTime(Duration::Seconds(1));
  EXPECT_EQ(Info().LastDataRecvAge(h_.now()), Duration::Seconds(1));
  h_.Inject(Data("d").Seq(peer_).Ack(our_));
  EXPECT_EQ(Info().last_data_recv, h_.now());
  EXPECT_EQ(Info().LastDataRecvAge(h_.now() + Duration::Millis(5)), Duration::Millis(5));
  EXPECT_NE(Info().last_data_recv, established);
}

// tcpi_reordering (Linux's tp->reordering): raised when an ACK delivers a segment that was
// never retransmitted below the end of the highest segment SACKed before it
// (tcp_check_sack_reordering), to the distance in segments; a hole repaired by a
// retransmission is loss, not reordering.
enum class PeerStep : uint8_t {
  kSackFromSecond,  // SACK segments 2..8 (the first one is late)
  kSackFromThird,   // SACK segments 3..8
  kAckAll,          // cumulative ACK of all 8
  kRetransmitHead,  // time passes: RACK's reorder timer retransmits the first segment
};

struct ReorderingCase {
  std::string name;
  std::vector<PeerStep> steps;
  uint32_t reordering;
};

class TcpInfoReorderingTest : public ::testing::TestWithParam<ReorderingCase> {
 protected:
  void SetUp() override {
    ConnectionOptions o;
    o.congestion_control = "newreno";
    conn_ = h_.Establish(o, SeqNum(5000), SynAck().Win(65535).Mss(kMss).SackOk().Ws(7));
    our_ = h_.iss() + 1;
    h_.Inject(Ack().Seq(peer_).Ack(our_).Win(1000));
    // A round trip of 100 ms (min_RTT), then one in which the second segment overtakes the
    // first: RACK (RFC 8985 §6.2 step 3) has seen reordering, so its reordering window
    // (min_RTT / 4) keeps it from calling a single late segment lost at once below.
    h_.SendString(conn_, std::string(kMss, 'w'));
    h_.AdvanceTime(Duration::Millis(100));
    h_.Inject(Ack().Seq(peer_).Ack(our_ + kMss).Win(1000));
    our_ = our_ + kMss;
    h_.SendString(conn_, std::string(2 * kMss, 'w'));
    h_.AdvanceTime(Duration::Millis(100));
    h_.Inject(Ack().Seq(peer_).Ack(our_).Win(1000).Sack(our_ + kMss, our_ + 2 * kMss));
    h_.Inject(Ack().Seq(peer_).Ack(our_ + 2 * kMss).Win(1000));
    EXPECT_EQ(h_.Stats(conn_).reordering, 3u) << "two segments apart: within the threshold";
    our_ = our_ + 2 * kMss;
    h_.DropSent();
  }
  Harness h_;
  ConnId conn_;
  SeqNum our_;
  const SeqNum peer_ = SeqNum(5001);
};

TEST_P(TcpInfoReorderingTest, Degree) {
  const ReorderingCase& c = GetParam();
  h_.SendString(conn_, std::string(8 * kMss, 'r'));
  ASSERT_EQ(h_.Stats(conn_).unacked_segments, 8u)
      << "cwnd " << h_.Stats(conn_).cwnd << " snd_wnd " << h_.Stats(conn_).snd_wnd << " acked "
      << h_.Stats(conn_).bytes_acked;
  for (PeerStep step : c.steps) {
    switch (step) {
      case PeerStep::kSackFromSecond:
        h_.Inject(Ack().Seq(peer_).Ack(our_).Win(1000).Sack(our_ + kMss, our_ + 8 * kMss));
        break;
      case PeerStep::kSackFromThird:
        h_.Inject(Ack().Seq(peer_).Ack(our_).Win(1000).Sack(our_ + 2 * kMss, our_ + 8 * kMss));
        break;
      case PeerStep::kAckAll:
        h_.Inject(Ack().Seq(peer_).Ack(our_ + 8 * kMss).Win(1000));
        break;
      case PeerStep::kRetransmitHead:
        h_.DropSent();
        h_.AdvanceTime(Duration::Millis(60));
        h_.RunNextTimer();
        ASSERT_GE(h_.Stats(conn_).bytes_retransmitted, kMss) << "the first segment went again";
        break;
    }
  }
  EXPECT_EQ(h_.Stats(conn_).reordering, c.reordering);
}

INSTANTIATE_TEST_SUITE_P(
    Linux, TcpInfoReorderingTest,
    ::testing::Values(
        ReorderingCase{"InOrder", {PeerStep::kAckAll}, 3},
        // The first segment arrives after the other seven: 8 segments from it to SND.UNA.
        ReorderingCase{
            "HoleFilledByTheOriginal", {PeerStep::kSackFromSecond, PeerStep::kAckAll}, 8},
        // The second segment is SACKed below the highest SACKed one (the 8th): from its start
        // to the 8th's end, 7 segments.
        ReorderingCase{
            "SackedBelowTheHighest", {PeerStep::kSackFromThird, PeerStep::kSackFromSecond}, 7},
        ReorderingCase{"RetransmittedHoleIsLoss",
                       {PeerStep::kSackFromSecond, PeerStep::kRetransmitHead, PeerStep::kAckAll},
                       3}),
    [](const ::testing::TestParamInfo<ReorderingCase>& info) { return info.param.name; });

}  // namespace
}  // namespace tcpaas::tcp::testing
