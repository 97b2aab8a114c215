// RACK's state (RFC 8985 §6.2) and the transmit log it reads, without a connection: which
// segments a delivery makes lost, when, and how the reordering window adapts.
#include "stack/tcp/rack.h"

#include <vector>

#include "gtest/gtest.h"
#include "stack/tcp/rack_tx_log.h"
#include "stack/tcp/sack_scoreboard.h"

namespace tcpaas::tcp {
namespace {

const Instant kT0 = Instant::Zero() + Duration::Seconds(100);
constexpr uint32_t kMss = 1000;

TxRecord Seg(uint32_t n, Duration sent_at, bool retransmitted = false) {
  return TxRecord{.left = SeqNum(n * kMss),
                  .right = SeqNum((n + 1) * kMss),
                  .xmit_ts = kT0 + sent_at,
                  .xmit_order = n + 1 + (retransmitted ? 1000u : 0u),
                  .retransmitted = retransmitted};
}

TEST(RackTest, DeliveryOfALaterSegmentSetsXmitTsEndSeqAndRtt) {
  Rack rack;
  EXPECT_FALSE(rack.has_sample());
  rack.OnDelivered(Seg(2, Duration::Millis(1)), kT0 + Duration::Millis(51));
  EXPECT_TRUE(rack.has_sample());
  EXPECT_EQ(rack.xmit_ts(), kT0 + Duration::Millis(1));
  EXPECT_EQ(rack.end_seq(), SeqNum(3 * kMss));
  EXPECT_EQ(rack.rtt(), Duration::Millis(50));
  // An older segment delivered afterwards does not move RACK back (§6.2 step 2).
  rack.OnDelivered(Seg(1, Duration::Zero()), kT0 + Duration::Millis(52));
  EXPECT_EQ(rack.xmit_ts(), kT0 + Duration::Millis(1));
  EXPECT_EQ(rack.end_seq(), SeqNum(3 * kMss));
}

TEST(RackTest, RetransmissionDeliveredFasterThanMinRttIsIgnored) {
  // §6.2 step 2: the ACK was for the original transmission, not the retransmission.
  Rack rack;
  rack.OnRttSample(Duration::Millis(40));
  rack.OnDelivered(Seg(0, Duration::Zero()), kT0 + Duration::Millis(40));
  rack.OnDelivered(Seg(1, Duration::Millis(100), true), kT0 + Duration::Millis(110));
  EXPECT_EQ(rack.xmit_ts(), kT0);
  EXPECT_EQ(rack.rtt(), Duration::Millis(40));
  rack.OnDelivered(Seg(2, Duration::Millis(100), true), kT0 + Duration::Millis(145));
  EXPECT_EQ(rack.xmit_ts(), kT0 + Duration::Millis(100));
  EXPECT_EQ(rack.rtt(), Duration::Millis(45));
}

TEST(RackTest, DeliveryBelowFackIsReordering) {
  // §6.2 step 3.
  Rack rack;
  rack.OnDelivered(Seg(3, Duration::Zero()), kT0 + Duration::Millis(10));
  EXPECT_EQ(rack.fack(), SeqNum(4 * kMss));
  EXPECT_FALSE(rack.reordering_seen());
  rack.OnDelivered(Seg(1, Duration::Zero(), /*retransmitted=*/true), kT0 + Duration::Millis(11));
  EXPECT_FALSE(rack.reordering_seen()) << "a retransmission filling a hole is no reordering";
  rack.OnDelivered(Seg(2, Duration::Zero()), kT0 + Duration::Millis(12));
  EXPECT_TRUE(rack.reordering_seen());
}

struct ReoWndCase {
  const char* name;
  bool reordering;
  bool in_recovery;
  uint32_t segs_sacked;
  int dsack_rounds;
  Duration srtt;
  Duration want;
};

TEST(RackTest, ReorderingWindowGrid) {
  // §6.2 step 4 (min_RTT 40 ms): zero where DupThresh would already have decided, else
  // reo_wnd_mult * min_RTT / 4, capped by SRTT.
  const std::vector<ReoWndCase> cases = {
      {"no reordering, one SACKed", false, false, 1, 0, Duration::Millis(50), Duration::Millis(10)},
      {"no reordering, DupThresh SACKed", false, false, 3, 0, Duration::Millis(50),
       Duration::Zero()},
      {"no reordering, in recovery", false, true, 1, 0, Duration::Millis(50), Duration::Zero()},
      {"reordering, in recovery", true, true, 5, 0, Duration::Millis(50), Duration::Millis(10)},
      {"two D-SACK rounds", true, false, 1, 2, Duration::Millis(50), Duration::Millis(30)},
      {"capped by SRTT", true, false, 1, 10, Duration::Millis(50), Duration::Millis(50)},
  };
  for (const ReoWndCase& c : cases) {
    Rack rack;
    rack.OnRttSample(Duration::Millis(40));
    if (c.reordering) {
      rack.OnDelivered(Seg(3, Duration::Zero()), kT0);
      rack.OnDelivered(Seg(2, Duration::Zero()), kT0);
    }
    for (int i = 0; i < c.dsack_rounds; ++i) {
      // Each D-SACK in a new round (SND.UNA past the previous round's SND.NXT).
      rack.UpdateReoWnd(true, SeqNum(i * 10 * kMss), SeqNum((i + 1) * 10 * kMss - 1));
    }
    EXPECT_EQ(rack.ReoWnd(c.in_recovery, c.segs_sacked, c.srtt), c.want) << c.name;
  }
}

TEST(RackTest, DsackGrowsTheWindowOncePerRoundAndSixteenRecoveriesResetIt) {
  Rack rack;
  rack.UpdateReoWnd(true, SeqNum(0), SeqNum(10000));
  rack.UpdateReoWnd(true, SeqNum(5000), SeqNum(12000));  // same round
  EXPECT_EQ(rack.reo_wnd_mult(), 2);
  rack.UpdateReoWnd(true, SeqNum(10000), SeqNum(20000));  // SND.UNA passed the round
  EXPECT_EQ(rack.reo_wnd_mult(), 3);
  for (int i = 0; i < Rack::kReoWndPersist - 1; ++i) rack.OnRecoveryExit();
  EXPECT_EQ(rack.reo_wnd_mult(), 3);
  rack.OnRecoveryExit();
  EXPECT_EQ(rack.reo_wnd_mult(), 1);
}

TEST(RackTest, RemainingTimeOfEarlierSegments) {
  // §6.2 step 5: segment 0 sent at 0, segment 1 at 2 ms and delivered at 42 ms (RACK.rtt
  // 40 ms); with reo_wnd 10 ms segment 0 is lost at 50 ms.
  Rack rack;
  rack.OnDelivered(Seg(1, Duration::Millis(2)), kT0 + Duration::Millis(42));
  const Duration reo = Duration::Millis(10);
  EXPECT_EQ(rack.Remaining(Seg(0, Duration::Zero()), reo, kT0 + Duration::Millis(42)),
            Duration::Millis(8));
  EXPECT_EQ(rack.Remaining(Seg(0, Duration::Zero()), reo, kT0 + Duration::Millis(50)),
            Duration::Zero());
  EXPECT_FALSE(
      rack.Remaining(Seg(2, Duration::Millis(2)), reo, kT0 + Duration::Millis(90)).has_value())
      << "sent after RACK's segment: not judged";
  EXPECT_TRUE(rack.Remaining(Seg(0, Duration::Millis(2)), reo, kT0).has_value())
      << "same time, sent earlier (lower transmission order)";
}

TEST(TxLogTest, RecordsSplitsAndAdvances) {
  TxLog log;
  for (uint32_t n = 0; n < 4; ++n) log.OnTransmit(SeqNum(n * kMss), SeqNum((n + 1) * kMss), kT0);
  ASSERT_EQ(log.size(), 4u);
  // A retransmission of part of segment 2 splits it.
  log.OnTransmit(SeqNum(2500), SeqNum(3000), kT0 + Duration::Millis(5));
  ASSERT_EQ(log.size(), 5u);
  EXPECT_FALSE(log[2].retransmitted);
  EXPECT_EQ(log[2].right, SeqNum(2500));
  EXPECT_TRUE(log[3].retransmitted);
  EXPECT_TRUE(log[3].rexmit_in_flight);
  EXPECT_EQ(log[3].xmit_ts, kT0 + Duration::Millis(5));
  log.AdvanceTo(SeqNum(1500));
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].left, SeqNum(1500));
  log.AdvanceTo(SeqNum(4000));
  EXPECT_TRUE(log.empty());
}

TEST(TxLogTest, LostBytesPipeAndFirstLostSkipSackedBytes) {
  TxLog log;
  for (uint32_t n = 0; n < 4; ++n) log.OnTransmit(SeqNum(n * kMss), SeqNum((n + 1) * kMss), kT0);
  SackScoreboard sb;
  const wire::SackBlock block{SeqNum(1000), SeqNum(2000)};
  sb.Update(SeqNum(0), SeqNum(0), SeqNum(4000), absl::MakeConstSpan(&block, 1));
  log.MarkAllLost(sb);  // 0, 2, 3 lost; 1 SACKed
  EXPECT_EQ(log.LostBytes(sb), 3000u);
  EXPECT_EQ(log.Pipe(sb), 0u) << "everything not SACKed is lost";
  SeqNum seq;
  uint32_t len = 0;
  bool by_rack = true;
  ASSERT_TRUE(log.FirstLost(sb, kMss, &seq, &len, &by_rack));
  EXPECT_EQ(seq, SeqNum(0));
  EXPECT_FALSE(by_rack);
  log.OnTransmit(SeqNum(0), SeqNum(1000), kT0 + Duration::Millis(1));  // retransmitted
  ASSERT_TRUE(log.FirstLost(sb, kMss, &seq, &len, &by_rack));
  EXPECT_EQ(seq, SeqNum(2000)) << "the SACKed segment 1 is skipped";
  EXPECT_EQ(log.Pipe(sb), 1000u) << "the retransmission is in flight";
}

TEST(TxLogTest, FirstLostJoinsSmallLostSegmentsUpToOneMss) {
  // Ten 100-byte segments, all lost, the seventh SACKed: one retransmission takes 0-599
  // (RFC 6675's NextSeg() takes a hole the same way), not six of 100 bytes.
  TxLog log;
  for (uint32_t n = 0; n < 10; ++n) log.OnTransmit(SeqNum(n * 100), SeqNum((n + 1) * 100), kT0);
  SackScoreboard sb;
  const wire::SackBlock block{SeqNum(600), SeqNum(700)};
  sb.Update(SeqNum(0), SeqNum(0), SeqNum(1000), absl::MakeConstSpan(&block, 1));
  log.MarkAllLost(sb);
  SeqNum seq;
  uint32_t len = 0;
  bool by_rack = false;
  ASSERT_TRUE(log.FirstLost(sb, kMss, &seq, &len, &by_rack));
  EXPECT_EQ(seq, SeqNum(0));
  EXPECT_EQ(len, 600u) << "up to the SACKed segment";
  log.OnTransmit(seq, seq + len, kT0 + Duration::Millis(1));
  ASSERT_TRUE(log.FirstLost(sb, 250, &seq, &len, &by_rack));
  EXPECT_EQ(seq, SeqNum(700));
  EXPECT_EQ(len, 250u) << "at most one MSS";
}

TEST(TxLogTest, FullLogMergesIntoTheLastRecord) {
  TxLog log;
  for (uint32_t n = 0; n < TxLog::kMaxRecords + 5; ++n) {
    log.OnTransmit(SeqNum(n), SeqNum(n + 1), kT0 + Duration::Micros(n));
  }
  EXPECT_EQ(log.size(), TxLog::kMaxRecords);
  EXPECT_EQ(log[log.size() - 1].right, SeqNum(TxLog::kMaxRecords + 5));
  EXPECT_EQ(log[log.size() - 1].xmit_ts, kT0 + Duration::Micros(TxLog::kMaxRecords + 4));
}

}  // namespace
}  // namespace tcpaas::tcp
