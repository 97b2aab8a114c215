#include "stack/tcp/congestion/cubic.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stack/tcp/congestion/congestion_control.h"
#include "stack/tcp/congestion/hystart.h"

namespace tcpaas::tcp {
namespace {

constexpr uint32_t kMss = 1000;
const Instant kStart = Instant::FromNanos(1'000'000'000);

// RFC 9438's constants, written out here so that a wrong constant in the code fails.
constexpr double kRfcC = 0.4;
constexpr double kRfcBeta = 0.7;
constexpr double kRfcAlpha = 3 * (1 - kRfcBeta) / (1 + kRfcBeta);

double Segments(uint32_t bytes) { return static_cast<double>(bytes) / kMss; }

// The window the RFC's formulas give, in segments, `t` seconds into the congestion
// avoidance stage after a loss at `w_max` segments (cwnd_epoch = beta * W_max):
// max(W_cubic(t), W_est(t)).
double RfcWindow(double w_max, double rtt, double t) {
  // §4.2 Figure 2: K = cubic_root(W_max * (1 - beta) / C); Figure 1: W_cubic.
  const double k = std::cbrt(w_max * (1 - kRfcBeta) / kRfcC);
  const double w_cubic = kRfcC * std::pow(t - k, 3) + w_max;
  // §4.3 Figure 4: W_est = W_max * beta + alpha * t / RTT, with alpha = 1 once W_est
  // reached cwnd_prior (here W_max).
  const double t_alpha_one = w_max * (1 - kRfcBeta) * rtt / kRfcAlpha;
  const double w_est =
      t < t_alpha_one ? w_max * kRfcBeta + kRfcAlpha * t / rtt : w_max + (t - t_alpha_one) / rtt;
  return std::max(w_cubic, w_est);
}

// A sender with always more data than cwnd allows (so every ACK reaches OnAck()), the
// receiver ACKing every segment: each round trip, one window of ACKs spread evenly over
// the RTT, each with an RTT sample of `rtt`.
class Sender {
 public:
  Sender(Cubic* cc, Duration rtt, Instant now = kStart) : cc_(cc), rtt_(rtt), now_(now) {}

  void AckFor(Duration d) {
    const Instant end = now_ + d;
    while (now_ < end) {
      const uint32_t segments = std::max<uint32_t>(cc_->cwnd() / kMss, 1);
      const Duration step = rtt_ / segments;
      for (uint32_t i = 0; i < segments && now_ < end; ++i) Ack(step);
    }
  }
  void Ack(Duration after) {
    now_ += after;
    cc_->OnRttSample(rtt_, now_);
    cc_->OnAck(kMss, kMss, now_);
    if (first_ack_ == Instant::Never()) first_ack_ = now_;
  }
  void Wait(Duration d) { now_ += d; }
  Instant now() const { return now_; }
  // Seconds since the first ACK this sender delivered (the start of the epoch).
  double t() const { return (now_ - first_ack_).seconds(); }

 private:
  Cubic* cc_;
  Duration rtt_;
  Instant now_;
  Instant first_ack_ = Instant::Never();
};

// A CUBIC sender that just lost a segment at a window of `w_max` segments and finished
// recovery: congestion avoidance from cwnd = ssthresh = beta * W_max.
std::unique_ptr<Cubic> AfterLossAt(double w_max, Duration rtt) {
  auto cc = std::make_unique<Cubic>(kMss, 10);
  for (int i = 0; i < 4; ++i) cc->OnRttSample(rtt, kStart);  // the smoothed RTT is `rtt`
  const uint32_t bytes = static_cast<uint32_t>(w_max * kMss);
  cc->set_cwnd(bytes);
  cc->OnFastRetransmit(bytes, kMss, kStart);
  cc->OnRecoveryExit(bytes, kMss, kStart);
  return cc;
}

TEST(CubicTest, MadeByName) {
  absl::StatusOr<std::unique_ptr<CongestionControl>> cc = MakeCongestionControl("cubic", 1460, 10);
  ASSERT_TRUE(cc.ok()) << cc.status();
  EXPECT_EQ((*cc)->name(), "cubic");
  EXPECT_EQ((*cc)->cwnd(), 14600u);  // RFC 6928 as NewReno
  EXPECT_GT((*cc)->ssthresh(), 1'000'000'000u);

  absl::StatusOr<std::unique_ptr<CongestionControl>> bad = MakeCongestionControl("bbr", 1460, 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), testing::HasSubstr("newreno, cubic"));
}

TEST(CubicTest, ConstantsAreRfc9438s) {
  EXPECT_DOUBLE_EQ(Cubic::kC, kRfcC);
  EXPECT_DOUBLE_EQ(Cubic::kBeta, kRfcBeta);
  EXPECT_NEAR(Cubic::kAlpha, 0.5294, 1e-4);
}

TEST(CubicTest, SlowStartGrowsByEveryAcknowledgedByte) {
  Cubic cc(kMss, 10);
  cc.OnAck(kMss, kMss, kStart);
  EXPECT_EQ(cc.cwnd(), 11 * kMss);
  cc.OnAck(4 * kMss, kMss, kStart);  // a stretch ACK counts in full, as Linux
  EXPECT_EQ(cc.cwnd(), 15 * kMss);
}

// RFC 9438 §4.6 multiplicative decrease and §4.7 fast convergence.
struct LossCase {
  const char* name;
  double previous_w_max;  // segments; 0: no earlier congestion event
  uint32_t cwnd;          // segments, when the loss is detected
  double want_w_max;
  uint32_t want_ssthresh_bytes;
};

class CubicLossTest : public testing::TestWithParam<LossCase> {};

TEST_P(CubicLossTest, ReducesByBetaAndRemembersWmax) {
  const LossCase& c = GetParam();
  Cubic cc(kMss, 10);
  if (c.previous_w_max > 0) {
    cc.set_cwnd(static_cast<uint32_t>(c.previous_w_max * kMss));
    cc.OnFastRetransmit(0, kMss, kStart);
    cc.OnRecoveryExit(0, kMss, kStart);
  }
  cc.set_cwnd(c.cwnd * kMss);
  cc.OnFastRetransmit(c.cwnd * kMss, kMss, kStart);
  EXPECT_EQ(cc.ssthresh(), c.want_ssthresh_bytes);
  EXPECT_EQ(cc.cwnd(), c.want_ssthresh_bytes);
  EXPECT_DOUBLE_EQ(cc.w_max_bytes(), c.want_w_max * kMss);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9438, CubicLossTest,
    testing::Values(LossCase{"first_loss", 0, 100, 100, 70 * kMss},
                    // A loss below the last W_max: capacity shrank; W_max = cwnd * (1 + beta) / 2.
                    LossCase{"fast_convergence", 120, 100, 85, 70 * kMss},
                    LossCase{"above_last_w_max", 80, 100, 100, 70 * kMss},
                    LossCase{"odd_window", 0, 33, 33, 23100},
                    // ssthresh is at least 2 segments.
                    LossCase{"two_segments", 0, 2, 2, 2 * kMss},
                    LossCase{"one_segment", 0, 1, 1, 2 * kMss}),
    [](const testing::TestParamInfo<LossCase>& info) { return info.param.name; });

TEST(CubicTest, KIsTheTimeBackToWmax) {
  // RFC 9438 §4.2 Figure 2: K = cubic_root(100 * 0.3 / 0.4) = 4.2172 s for W_max = 100.
  std::unique_ptr<Cubic> cc = AfterLossAt(100, Duration::Millis(100));
  cc->OnAck(kMss, kMss, kStart + Duration::Millis(1));
  EXPECT_NEAR(cc->k_seconds(), 4.2172, 1e-4);
  EXPECT_DOUBLE_EQ(cc->w_max_bytes(), 100 * kMss);
}

// Growth against the RFC's formulas: W_max, RTT, t -> max(W_cubic(t), W_est(t)).
struct GrowthCase {
  const char* name;
  double w_max;  // segments
  int64_t rtt_ms;
  double t;  // seconds into the congestion avoidance stage
};

class CubicGrowthTest : public testing::TestWithParam<GrowthCase> {};

TEST_P(CubicGrowthTest, FollowsRfc9438) {
  const GrowthCase& c = GetParam();
  const Duration rtt = Duration::Millis(c.rtt_ms);
  std::unique_ptr<Cubic> cc = AfterLossAt(c.w_max, rtt);
  Sender sender(cc.get(), rtt);
  sender.AckFor(Duration::Micros(static_cast<int64_t>(c.t * 1e6)));
  const double want = RfcWindow(c.w_max, rtt.seconds(), sender.t());
  // cwnd moves by whole segments and reaches each target within a round trip.
  const double tolerance = std::max(2.0, 0.03 * want);
  EXPECT_NEAR(Segments(cc->cwnd()), want, tolerance)
      << "W_max " << c.w_max << ", RTT " << c.rtt_ms << " ms, t " << sender.t() << " s";
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9438, CubicGrowthTest,
    testing::Values(
        // Concave (§4.4): W_cubic below W_max, above W_est.
        GrowthCase{"concave_100", 100, 100, 1.0},          // 86.7
        GrowthCase{"concave_1000", 1000, 300, 3.0},        // 909.8
        GrowthCase{"concave_1000_early", 1000, 300, 1.0},  // 797.6
        // At K the curve is back at W_max and flat.
        GrowthCase{"plateau_100", 100, 100, 4.2172},    // 100
        GrowthCase{"plateau_1000", 1000, 300, 9.0856},  // 1000
        // Convex (§4.5): beyond W_max, probing faster and faster.
        GrowthCase{"convex_100", 100, 100, 8.434},        // 130
        GrowthCase{"convex_1000", 1000, 300, 14.0},       // 1047.5
        GrowthCase{"convex_1000_far", 1000, 100, 18.17},  // 1300
        // Reno-friendly (§4.3): at short RTTs W_est is ahead, and alpha becomes 1.
        GrowthCase{"reno_friendly_1000", 1000, 10, 9.0856},  // 1341.6
        GrowthCase{"reno_friendly_10", 10, 10, 0.5},         // 54.3
        GrowthCase{"reno_friendly_alpha", 100, 10, 0.5}),    // 96.5: alpha still 0.53
    [](const testing::TestParamInfo<GrowthCase>& info) { return info.param.name; });

TEST(CubicTest, GrowsSlowestNearWmax) {
  // The plateau around K (RFC 9438 §4.4-§4.5): over the same time, far less growth near
  // W_max than right after the loss or well beyond W_max.
  const Duration rtt = Duration::Millis(300);
  std::unique_ptr<Cubic> cc = AfterLossAt(1000, rtt);
  Sender sender(cc.get(), rtt);
  auto growth_over_two_seconds = [&] {
    const uint32_t before = cc->cwnd();
    sender.AckFor(Duration::Seconds(2));
    return Segments(cc->cwnd() - before);
  };
  const double early = growth_over_two_seconds();  // t 0..2
  sender.AckFor(Duration::Millis(5800));           // to t = 7.8: K - 1 - RTT
  const double plateau = growth_over_two_seconds();
  sender.AckFor(Duration::Seconds(4));  // to t ~ 13.8
  const double late = growth_over_two_seconds();
  EXPECT_GT(early, 50);
  EXPECT_LT(plateau, 3);
  EXPECT_GT(late, 15);
}

TEST(CubicTest, TargetIsClampedToOneAndAHalfWindows) {
  // RFC 9438 §4.2: target <= 1.5 * cwnd. With W_max = 10 and a 5 s RTT, W_cubic(t + RTT)
  // is 21 segments at once; one window of ACKs may only take cwnd from 7 to 10.5.
  const Duration rtt = Duration::Seconds(5);
  std::unique_ptr<Cubic> cc = AfterLossAt(10, rtt);
  ASSERT_EQ(cc->cwnd(), 7 * kMss);
  Sender sender(cc.get(), rtt);
  for (int i = 0; i < 7; ++i) sender.Ack(rtt / 7);
  EXPECT_EQ(cc->cwnd(), 10 * kMss);
}

TEST(CubicTest, IdleTimeDoesNotCountTowardsTheCurve) {
  // RFC 9438 §5.8: t excludes periods in which the flow was application-limited or idle.
  const Duration rtt = Duration::Millis(100);
  std::unique_ptr<Cubic> busy = AfterLossAt(100, rtt);
  std::unique_ptr<Cubic> idle = AfterLossAt(100, rtt);
  Sender busy_sender(busy.get(), rtt);
  Sender idle_sender(idle.get(), rtt);
  busy_sender.AckFor(Duration::Seconds(4));
  idle_sender.AckFor(Duration::Seconds(2));
  idle_sender.Wait(Duration::Seconds(10));  // nothing to send: no ACKs
  idle_sender.AckFor(Duration::Seconds(2));
  // Ten seconds more on the curve would be W_cubic(14 s) = 474 segments (1.5x per RTT
  // reaches it); without them both are near W_max.
  EXPECT_NEAR(Segments(idle->cwnd()), Segments(busy->cwnd()), 2);
  EXPECT_LT(Segments(idle->cwnd()), 102);
}

TEST(CubicTest, RetransmitTimeoutRestartsFromOneSegmentWithKZero) {
  // RFC 9438 §4.8: ssthresh by beta_cubic, cwnd = 1 SMSS, and the next congestion
  // avoidance stage uses K = 0 and W_max = its starting cwnd.
  const Duration rtt = Duration::Millis(300);
  Cubic cc(kMss, 10);
  for (int i = 0; i < 4; ++i) cc.OnRttSample(rtt, kStart);
  cc.set_cwnd(100 * kMss);
  cc.OnRetransmitTimeout(100 * kMss, kMss, kStart);
  EXPECT_EQ(cc.cwnd(), kMss);
  EXPECT_EQ(cc.ssthresh(), 70 * kMss);
  cc.OnAck(kMss, kMss, kStart);
  EXPECT_EQ(cc.cwnd(), 2 * kMss) << "slow start";

  Sender sender(&cc, rtt, kStart);
  while (cc.cwnd() < cc.ssthresh()) sender.Ack(Duration::Millis(1));
  ASSERT_EQ(cc.cwnd(), 70 * kMss);
  Sender ca(&cc, rtt, sender.now());
  ca.Ack(Duration::Millis(1));
  EXPECT_EQ(cc.k_seconds(), 0);
  EXPECT_DOUBLE_EQ(cc.w_max_bytes(), 70 * kMss);
  ca.AckFor(Duration::Seconds(4));
  // Convex from the start: W_cubic(t) = 0.4 * t^3 + 70 (W_est, 70 + 0.53 t / RTT, is lower).
  const double want = kRfcC * std::pow(ca.t(), 3) + 70;
  EXPECT_NEAR(Segments(cc.cwnd()), want, std::max(2.0, 0.03 * want));
}

TEST(CubicTest, TimeoutDuringRecoveryDoesNotReduceTwice) {
  Cubic cc(kMss, 10);
  cc.set_cwnd(100 * kMss);
  cc.OnFastRetransmit(100 * kMss, kMss, kStart);
  ASSERT_EQ(cc.ssthresh(), 70 * kMss);
  cc.set_cwnd(90 * kMss);  // inflated by the connection's recovery
  cc.OnRetransmitTimeout(90 * kMss, kMss, kStart);
  EXPECT_EQ(cc.ssthresh(), 70 * kMss);
  EXPECT_EQ(cc.cwnd(), kMss);
  // A later timeout, outside recovery, reduces again.
  cc.set_cwnd(50 * kMss);
  cc.OnRetransmitTimeout(50 * kMss, kMss, kStart);
  EXPECT_EQ(cc.ssthresh(), 35 * kMss);
}

TEST(CubicTest, RecoveryExitDeflatesWithoutBurst) {
  // RFC 6582 §3.2 step 3 option 1, as NewReno.
  Cubic cc(kMss, 10);
  cc.set_cwnd(100 * kMss);
  cc.OnFastRetransmit(100 * kMss, kMss, kStart);
  cc.set_cwnd(90 * kMss);
  cc.OnRecoveryExit(90 * kMss, kMss, kStart);
  EXPECT_EQ(cc.cwnd(), 70 * kMss);
  cc.OnRecoveryExit(5 * kMss, kMss, kStart);
  EXPECT_EQ(cc.cwnd(), 6 * kMss);
}

TEST(CubicTest, IdleRestartFallsBackToTheInitialWindow) {
  // RFC 5681 §4.1, as NewReno.
  std::unique_ptr<Cubic> cc = AfterLossAt(100, Duration::Millis(100));
  cc->OnIdleRestart(kMss, kStart);
  EXPECT_EQ(cc->cwnd(), 10 * kMss);
  EXPECT_EQ(cc->ssthresh(), 70 * kMss);
  cc->OnAck(2 * kMss, kMss, kStart);
  EXPECT_EQ(cc->cwnd(), 12 * kMss) << "slow start up to ssthresh again";
}

// HyStart++ inside CUBIC's slow start: rounds of `acks` ACKs, each with an RTT sample.
void SlowStartRound(Cubic& cc, Duration rtt, int acks = 8) {
  cc.OnRoundStart(kStart);
  for (int i = 0; i < acks; ++i) {
    cc.OnRttSample(rtt, kStart);
    cc.OnAck(kMss, kMss, kStart);
  }
}

TEST(CubicHyStartTest, AnRttIncreaseSlowsSlowStartToAQuarter) {
  Cubic cc(kMss, 10);
  SlowStartRound(cc, Duration::Millis(100));
  EXPECT_EQ(cc.cwnd(), 18 * kMss);
  // 112.5 ms reaches 100 + 100 / 8: CSS from the 8th sample on.
  SlowStartRound(cc, Duration::Micros(112500));
  EXPECT_EQ(cc.hystart().phase(), HyStart::Phase::kConservativeSlowStart);
  EXPECT_EQ(cc.cwnd(), 25 * kMss + kMss / 4);
  EXPECT_GT(cc.ssthresh(), 1'000'000'000u) << "CSS is still slow start";
  const uint32_t before = cc.cwnd();
  SlowStartRound(cc, Duration::Millis(113));
  EXPECT_EQ(cc.cwnd(), before + 8 * kMss / 4) << "RFC 9406 §4.2: N / CSS_GROWTH_DIVISOR";
}

TEST(CubicHyStartTest, FiveRoundsOfCssEndSlowStartWithKZero) {
  Cubic cc(kMss, 10);
  SlowStartRound(cc, Duration::Millis(100));
  SlowStartRound(cc, Duration::Millis(120));
  for (uint32_t round = 1; round < HyStart::kCssRounds; ++round) {
    SlowStartRound(cc, Duration::Millis(121));
    ASSERT_TRUE(cc.hystart_active()) << "round " << round;
  }
  const uint32_t cwnd = cc.cwnd();
  cc.OnRoundStart(kStart);
  EXPECT_EQ(cc.ssthresh(), cwnd) << "RFC 9406 §4.2: ssthresh = cwnd";
  EXPECT_FALSE(cc.hystart_active());
  // RFC 9438 §4.10: no congestion event yet, so K = 0 and W_max = cwnd.
  cc.OnAck(kMss, kMss, kStart + Duration::Millis(1));
  EXPECT_EQ(cc.k_seconds(), 0);
  EXPECT_DOUBLE_EQ(cc.w_max_bytes(), cwnd);
}

TEST(CubicHyStartTest, ASpuriousIncreaseResumesFullSlowStart) {
  Cubic cc(kMss, 10);
  SlowStartRound(cc, Duration::Millis(100));
  SlowStartRound(cc, Duration::Millis(120));
  ASSERT_EQ(cc.hystart().growth_divisor(), 4u);
  SlowStartRound(cc, Duration::Millis(100));  // below the CSS baseline (120 ms)
  EXPECT_EQ(cc.hystart().phase(), HyStart::Phase::kSlowStart);
  const uint32_t before = cc.cwnd();
  SlowStartRound(cc, Duration::Millis(100));
  EXPECT_EQ(cc.cwnd(), before + 8 * kMss);
}

TEST(CubicHyStartTest, ALossEndsHyStartForGood) {
  Cubic cc(kMss, 10);
  SlowStartRound(cc, Duration::Millis(100));
  SlowStartRound(cc, Duration::Millis(120));
  ASSERT_TRUE(cc.hystart_active());
  const uint32_t cwnd = cc.cwnd();
  cc.OnFastRetransmit(cwnd, kMss, kStart);
  EXPECT_EQ(cc.ssthresh(), cwnd * 7 / 10);
  EXPECT_FALSE(cc.hystart_active());
  // The slow start after a timeout is standard (RFC 9406 §4.2: HyStart++ only in the
  // initial one): RTT increases change nothing.
  cc.OnRetransmitTimeout(cc.cwnd(), kMss, kStart);
  SlowStartRound(cc, Duration::Millis(100), 2);
  SlowStartRound(cc, Duration::Millis(200), 10);
  EXPECT_EQ(cc.cwnd(), 13 * kMss);
}

TEST(CubicHyStartTest, AnIdleRestartStartsTheRoundsOver) {
  Cubic cc(kMss, 10);
  SlowStartRound(cc, Duration::Millis(100));
  SlowStartRound(cc, Duration::Millis(120));
  ASSERT_EQ(cc.hystart().phase(), HyStart::Phase::kConservativeSlowStart);
  cc.OnIdleRestart(kMss, kStart);
  EXPECT_EQ(cc.cwnd(), 10 * kMss);
  EXPECT_EQ(cc.hystart().phase(), HyStart::Phase::kSlowStart);
  SlowStartRound(cc, Duration::Millis(300));  // nothing earlier to compare with
  EXPECT_EQ(cc.cwnd(), 18 * kMss);
}

}  // namespace
}  // namespace tcpaas::tcp
