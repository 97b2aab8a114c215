// PRR (RFC 6937): the bytes recovery may send per ACK, in both regimes.
#include "stack/tcp/prr.h"

#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

constexpr uint32_t kMss = 1000;

TEST(Prr, ProportionalPartSendsSsthreshOverRecoverFsOfWhatWasDelivered) {
  // RFC 6937 §3.1: 20 segments out, ssthresh 10: one segment for every two delivered.
  ProportionalRateReduction prr;
  prr.Start(20 * kMss);
  prr.OnSent(kMss);  // the fast retransmit
  uint32_t sent = 0;
  for (int ack = 0; ack < 8; ++ack) {
    const uint32_t sndcnt = prr.OnAck(kMss, 15 * kMss, 10 * kMss, kMss);
    EXPECT_EQ(sndcnt % (kMss / 2), 0u);
    // Sends in whole segments, as the connection does.
    if (sndcnt >= kMss) {
      prr.OnSent(kMss);
      sent += kMss;
    }
  }
  // ceil(8 * 10 / 20) = 4 segments allowed in all, the retransmission being one.
  EXPECT_EQ(sent + kMss, 4 * kMss);
  EXPECT_EQ(prr.prr_delivered(), 8u * kMss);
}

TEST(Prr, SlowStartReductionBoundGrowsBackAtMostOneSegmentAheadOfDeliveries) {
  // RFC 6937 §3.1 PRR-SSRB: pipe far below ssthresh (many losses).
  ProportionalRateReduction prr;
  prr.Start(20 * kMss);
  prr.OnSent(kMss);
  // An ACK delivering one segment: limit = max(1 - 1, 1) + 1 = 2 segments.
  EXPECT_EQ(prr.OnAck(kMss, 2 * kMss, 10 * kMss, kMss), 2 * kMss);
  prr.OnSent(2 * kMss);
  // Delivering two: limit = max(3 - 3, 2) + 1 = 3.
  EXPECT_EQ(prr.OnAck(2 * kMss, 4 * kMss, 10 * kMss, kMss), 3 * kMss);
  // Close to ssthresh, ssthresh - pipe bounds it.
  prr.OnSent(3 * kMss);
  EXPECT_EQ(prr.OnAck(kMss, 9 * kMss, 10 * kMss, kMss), kMss);
}

TEST(Prr, PipeAtSsthreshSendsOnePerDelivered) {
  // The corpus' prr-ss-10pkt-lost-1: in-flight == ssthresh throughout.
  ProportionalRateReduction prr;
  prr.Start(10 * kMss);
  EXPECT_EQ(prr.OnAck(kMss, 6 * kMss, 7 * kMss, kMss), kMss) << "first ACK: the retransmit";
  prr.OnSent(kMss);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(prr.OnAck(kMss, 6 * kMss, 7 * kMss, kMss), kMss) << "ACK " << i;
    prr.OnSent(kMss);
  }
}

TEST(Prr, NothingDeliveredNothingSentOnceTheRetransmitWent) {
  ProportionalRateReduction prr;
  prr.Start(10 * kMss);
  EXPECT_EQ(prr.OnAck(0, 9 * kMss, 5 * kMss, kMss), kMss) << "the fast retransmit is forced";
  prr.OnSent(kMss);
  EXPECT_EQ(prr.OnAck(0, 9 * kMss, 5 * kMss, kMss), 0u);
}

}  // namespace
}  // namespace tcpaas::tcp
