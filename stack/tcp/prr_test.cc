// PRR (RFC 9937): the bytes fast recovery may send per ACK, in both regimes, with the
// conservative bound by default and the slow start bound on SafeACKs only.
#include "stack/tcp/prr.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

constexpr uint32_t kMss = 1000;

// One ACK in a given PRR state: RecoverFS, what recovery delivered and sent before it, and
// the ACK itself.
struct OnAckCase {
  std::string name;
  uint32_t recover_fs;
  uint32_t delivered_before;
  uint32_t out_before;
  PrrAck ack;
  std::optional<uint32_t> sndcnt;
};

class PrrOnAckTest : public ::testing::TestWithParam<OnAckCase> {};

TEST_P(PrrOnAckTest, Sndcnt) {
  const OnAckCase& c = GetParam();
  ProportionalRateReduction prr;
  prr.Start(c.recover_fs);
  if (c.delivered_before > 0) {
    // Reaches prr_delivered = delivered_before through an ACK in the proportional regime.
    prr.OnAck({.delivered = c.delivered_before, .pipe = ~0u, .ssthresh = 0, .mss = kMss});
  }
  prr.OnSent(c.out_before);
  EXPECT_EQ(prr.OnAck(c.ack), c.sndcnt);
}

PrrAck A(uint32_t delivered, uint32_t pipe, uint32_t ssthresh, bool safe) {
  return {
      .delivered = delivered, .pipe = pipe, .ssthresh = ssthresh, .mss = kMss, .safe_ack = safe};
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9937, PrrOnAckTest,
    ::testing::Values(
        // pipe > ssthresh: CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out, SafeACK or not.
        OnAckCase{"ProportionalHalf", 20 * kMss, 3 * kMss, 2 * kMss,
                  A(kMss, 15 * kMss, 10 * kMss, false), 0},
        OnAckCase{"ProportionalHalfNextAck", 20 * kMss, 4 * kMss, 2 * kMss,
                  A(kMss, 15 * kMss, 10 * kMss, false), 500},
        OnAckCase{"ProportionalIgnoresSafeAck", 20 * kMss, 4 * kMss, 2 * kMss,
                  A(kMss, 15 * kMss, 10 * kMss, true), 500},
        OnAckCase{"ProportionalRoundsUp", 3 * kMss, 0, 100, A(kMss, 5 * kMss, 2 * kMss, false),
                  567},  // CEIL(1000 * 2000 / 3000) = 667
        OnAckCase{"ProportionalSeventyPercent", 10 * kMss, 9 * kMss, 6 * kMss,
                  A(kMss, 8 * kMss, 7 * kMss, false), kMss},  // CUBIC's beta: 7 of 10
        // pipe <= ssthresh, not a SafeACK: PRR-CRB, MAX(prr_delivered - prr_out, delivered).
        OnAckCase{"CrbSendsWhatWasDelivered", 20 * kMss, 0, kMss,
                  A(2 * kMss, 3 * kMss, 10 * kMss, false), 2 * kMss},
        OnAckCase{"CrbCatchesUpWhatEarlierAcksLeft", 20 * kMss, 6 * kMss, 2 * kMss,
                  A(kMss, 3 * kMss, 10 * kMss, false), 5 * kMss},
        OnAckCase{"CrbBoundedBySsthreshMinusPipe", 20 * kMss, 6 * kMss, 2 * kMss,
                  A(kMss, 8 * kMss, 10 * kMss, false), 2 * kMss},
        OnAckCase{"PipeAtSsthreshCrbSendsNothing", 20 * kMss, 6 * kMss, 2 * kMss,
                  A(kMss, 10 * kMss, 10 * kMss, false), 0},
        // pipe <= ssthresh on a SafeACK: PRR-SSRB, one SMSS more.
        OnAckCase{"SsrbOnSafeAck", 20 * kMss, 0, kMss, A(2 * kMss, 3 * kMss, 10 * kMss, true),
                  3 * kMss},
        OnAckCase{"SsrbCatchUpPlusOne", 20 * kMss, 6 * kMss, 2 * kMss,
                  A(kMss, 3 * kMss, 10 * kMss, true), 6 * kMss},
        OnAckCase{"SsrbBoundedBySsthreshMinusPipe", 20 * kMss, 0, kMss,
                  A(2 * kMss, 9 * kMss, 10 * kMss, true), kMss},
        // The first ACK of recovery: the fast retransmit is forced when sndcnt would be 0.
        OnAckCase{"FirstAckForcesTheRetransmit", 20 * kMss, 0, 0,
                  A(kMss, 10 * kMss, 10 * kMss, false), kMss},
        OnAckCase{"FirstAckProportionalHalfASegmentStillOne", 20 * kMss, 0, 0,
                  A(kMss, 15 * kMss, 10 * kMss, false), kMss},
        OnAckCase{"FirstAckPipeAboveEverything", 20 * kMss, 0, 0, A(kMss, 19 * kMss, 0, false),
                  kMss},
        OnAckCase{"OnceSentNoForcing", 20 * kMss, 0, kMss, A(kMss, 10 * kMss, 10 * kMss, false), 0},
        // DeliveredData == 0 (a window update): no sndcnt, cwnd stays.
        OnAckCase{"NothingDelivered", 20 * kMss, 0, 0, A(0, 10 * kMss, 10 * kMss, true),
                  std::nullopt},
        OnAckCase{"NothingDeliveredLater", 20 * kMss, 4 * kMss, 2 * kMss,
                  A(0, 3 * kMss, 10 * kMss, true), std::nullopt}),
    [](const ::testing::TestParamInfo<OnAckCase>& info) { return info.param.name; });

// Recovery as a sender sees it: segments of kMss, `lost` of `flight` lost at the start (RACK
// marked them, so pipe starts without them); every ACK then delivers one segment, SafeACK
// or not as `safe` says; the sender sends whole segments while cwnd - pipe allows.
struct Episode {
  std::vector<uint32_t> sent_per_ack;
  uint32_t final_pipe = 0;
};
Episode RunEpisode(uint32_t flight, uint32_t lost, uint32_t ssthresh_segs, uint32_t acks,
                   bool safe) {
  ProportionalRateReduction prr;
  uint32_t pipe = (flight - lost) * kMss;
  prr.Start(pipe);  // RFC 9937: RecoverFS = pipe before recovery
  Episode e;
  for (uint32_t i = 0; i < acks; ++i) {
    pipe -= kMss;  // one segment delivered
    const std::optional<uint32_t> sndcnt = prr.OnAck({.delivered = kMss,
                                                      .pipe = pipe,
                                                      .ssthresh = ssthresh_segs * kMss,
                                                      .mss = kMss,
                                                      .safe_ack = safe});
    uint32_t segs = sndcnt.value_or(0) / kMss;
    prr.OnSent(segs * kMss);
    pipe += segs * kMss;
    e.sent_per_ack.push_back(segs);
  }
  e.final_pipe = pipe / kMss;
  return e;
}

TEST(PrrEpisode, OneLossRenoHalvesSendingOnePerTwoAcks) {
  // RFC 9937 (and RFC 6937 §5's examples): 20 segments out, one lost, ssthresh 10. PRR
  // spreads the reduction over the whole round trip: one segment for every two delivered,
  // never two at once, and pipe ends at ssthresh.
  const Episode e = RunEpisode(20, 1, 10, 19, false);
  uint32_t total = 0;
  for (size_t i = 0; i < e.sent_per_ack.size(); ++i) {
    EXPECT_LE(e.sent_per_ack[i], 1u) << "ACK " << i;
    total += e.sent_per_ack[i];
    // After k ACKs, about k * ssthresh / RecoverFS segments: the first ACK's retransmission
    // may be ahead by one, and once pipe reaches ssthresh (ACK 16) PRR-CRB holds it there.
    const uint32_t k = static_cast<uint32_t>(i + 1);
    EXPECT_GE(total + 1, k * 10 / 19) << "ACK " << i;
    EXPECT_LE(total, k * 10 / 19 + 1) << "ACK " << i;
  }
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(e.final_pipe, 10u);
  EXPECT_EQ(e.sent_per_ack.front(), 1u) << "the fast retransmit on the first ACK";
}

TEST(PrrEpisode, OneLossCubicSendsSevenPerTen) {
  // CUBIC's beta 0.7: ssthresh 14 of 20.
  const Episode e = RunEpisode(20, 1, 14, 19, false);
  uint32_t first_ten = 0;
  for (int i = 0; i < 10; ++i) first_ten += e.sent_per_ack[i];
  EXPECT_EQ(first_ten, 7u);  // CEIL(10 * 14000 / 19) = 7369 bytes: 7 whole segments
  EXPECT_EQ(e.final_pipe, 14u);
}

TEST(PrrEpisode, HeavyLossCrbHoldsPipeSsrbGrowsItBack) {
  // 20 out, 15 lost, ssthresh 10: pipe (5) is below ssthresh from the start. Without
  // SafeACKs (every ACK indicated more loss) PRR-CRB only replaces what was delivered; with
  // them PRR-SSRB sends one segment more per ACK, like slow start, up to ssthresh.
  const Episode crb = RunEpisode(20, 15, 10, 6, false);
  EXPECT_EQ(crb.sent_per_ack, (std::vector<uint32_t>{1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(crb.final_pipe, 5u);
  const Episode ssrb = RunEpisode(20, 15, 10, 6, true);
  EXPECT_EQ(ssrb.sent_per_ack, (std::vector<uint32_t>{2, 2, 2, 2, 2, 1}));
  EXPECT_EQ(ssrb.final_pipe, 10u);
}

TEST(Prr, StartSndcntIsTheForcedRetransmitOnly) {
  ProportionalRateReduction prr;
  prr.Start(10 * kMss);
  EXPECT_EQ(prr.StartSndcnt(kMss), kMss);
  prr.OnSent(kMss);
  EXPECT_EQ(prr.StartSndcnt(kMss), 0u);
  prr.Start(0);
  EXPECT_EQ(prr.recover_fs(), 1u) << "never divides by zero";
  EXPECT_EQ(prr.prr_out(), 0u);
}

TEST(Prr, DeliveredWithoutSack) {
  // RFC 9937 §6.2: one SMSS per duplicate ACK up to RecoverFS; a partial ACK counts its
  // advance less what the duplicates counted.
  ProportionalRateReduction prr;
  prr.Start(3 * kMss);
  struct Step {
    bool dup;
    uint32_t advance;
    uint32_t expected;
  };
  const std::vector<Step> steps = {
      {true, 0, kMss},             // counted: prr_delivered 1000 after OnAck below
      {true, 0, kMss},             // 2000
      {true, 0, kMss},             // 3000
      {true, 0, 0},                // prr_delivered reached RecoverFS: extra duplicates
      {false, 4 * kMss, kMss},     // 4 segments acknowledged, 3 already counted
      {false, 2 * kMss, 2 * kMss}  // nothing left to discount
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    const uint32_t d = prr.DeliveredWithoutSack(steps[i].dup, steps[i].advance, kMss);
    EXPECT_EQ(d, steps[i].expected) << "step " << i;
    prr.OnAck({.delivered = d, .pipe = 10 * kMss, .ssthresh = kMss, .mss = kMss});
  }
  EXPECT_EQ(prr.prr_delivered(), 6u * kMss);
}

}  // namespace
}  // namespace tcpaas::tcp
