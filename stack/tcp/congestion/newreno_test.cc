#include "stack/tcp/congestion/newreno.h"

#include <memory>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stack/tcp/congestion/congestion_control.h"

namespace tcpaas::tcp {
namespace {

constexpr uint32_t kMss = 1460;
const Instant kNow = Instant::FromNanos(1'000'000'000);

// RFC 6928 §2: min(segments * mss, max(2 * mss, 14600)).
struct InitialWindowCase {
  uint32_t mss;
  uint32_t segments;
  uint32_t want;
};

class InitialWindowTest : public testing::TestWithParam<InitialWindowCase> {};

TEST_P(InitialWindowTest, FollowsRfc6928) {
  const InitialWindowCase& c = GetParam();
  EXPECT_EQ(InitialWindow(c.mss, c.segments), c.want);
  EXPECT_EQ(NewReno(c.mss, c.segments).cwnd(), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc6928, InitialWindowTest,
    testing::Values(InitialWindowCase{1460, 10, 14600}, InitialWindowCase{1448, 10, 14480},
                    InitialWindowCase{536, 10, 5360}, InitialWindowCase{1460, 4, 5840},
                    InitialWindowCase{1460, 20, 14600},  // capped
                    InitialWindowCase{8960, 10, 17920},  // 2 * mss
                    InitialWindowCase{9000, 1, 9000}, InitialWindowCase{100, 10, 1000}));

TEST(MakeCongestionControlTest, MakesNewRenoByName) {
  absl::StatusOr<std::unique_ptr<CongestionControl>> cc =
      MakeCongestionControl("newreno", kMss, 10);
  ASSERT_TRUE(cc.ok()) << cc.status();
  EXPECT_EQ((*cc)->name(), "newreno");
  EXPECT_EQ((*cc)->cwnd(), 14600u);
  EXPECT_GT((*cc)->ssthresh(), 1'000'000'000u) << "RFC 5681 §3.1: arbitrarily high at first";
}

TEST(MakeCongestionControlTest, UnknownNameListsTheKnownOnes) {
  absl::StatusOr<std::unique_ptr<CongestionControl>> cc = MakeCongestionControl("vegas", kMss, 10);
  ASSERT_FALSE(cc.ok());
  EXPECT_EQ(cc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cc.status().message()), testing::HasSubstr("vegas"));
  EXPECT_THAT(std::string(cc.status().message()), testing::HasSubstr("newreno"));
}

TEST(MakeCongestionControlTest, RejectsZeroMssAndWindow) {
  EXPECT_EQ(MakeCongestionControl("newreno", 0, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeCongestionControl("newreno", kMss, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Puts a fresh NewReno into congestion avoidance with ssthresh = cwnd = `segments` MSS.
NewReno InCongestionAvoidance(uint32_t segments) {
  NewReno cc(kMss, 10);
  cc.OnFastRetransmit(2 * segments * kMss, kMss, kNow);
  return cc;
}

// Slow start (RFC 5681 §3.1) counting bytes (RFC 3465 §2.2) but, as Linux, without the
// L = 2 * SMSS limit: growth per ACK is every byte it acknowledges.
struct SlowStartCase {
  const char* name;
  uint32_t acked;
  uint32_t growth;
};

class NewRenoSlowStartTest : public testing::TestWithParam<SlowStartCase> {};

TEST_P(NewRenoSlowStartTest, GrowsByAckedBytes) {
  NewReno cc(kMss, 10);
  const uint32_t before = cc.cwnd();
  cc.OnAck(GetParam().acked, kMss, kNow);
  EXPECT_EQ(cc.cwnd(), before + GetParam().growth);
}

INSTANTIATE_TEST_SUITE_P(LinuxSlowStart, NewRenoSlowStartTest,
                         testing::Values(SlowStartCase{"small", 100, 100},
                                         SlowStartCase{"one_segment", kMss, kMss},
                                         SlowStartCase{"delayed_ack", 2 * kMss, 2 * kMss},
                                         SlowStartCase{"stretch_ack", 5 * kMss, 5 * kMss},
                                         SlowStartCase{"nothing", 0, 0}),
                         [](const testing::TestParamInfo<SlowStartCase>& info) {
                           return info.param.name;
                         });

TEST(NewRenoTest, SlowStartDoublesPerRoundTrip) {
  NewReno cc(kMss, 10);
  for (int rtt = 0; rtt < 4; ++rtt) {
    const uint32_t window = cc.cwnd();
    // A window's worth of ACKs, one per two segments (delayed ACKs).
    for (uint32_t acked = 0; acked < window; acked += 2 * kMss) {
      cc.OnAck(std::min(2 * kMss, window - acked), kMss, kNow);
    }
    EXPECT_EQ(cc.cwnd(), 2 * window) << "round trip " << rtt;
  }
}

TEST(NewRenoTest, SlowStartDoublesPerRoundTripWhateverTheAckPattern) {
  // Linux's tcp_slow_start: an ACK for four segments grows cwnd by four (RFC 3465's L = 2
  // would grow it by two and halve the growth of a receiver that stretches its ACKs).
  NewReno cc(kMss, 10);
  const uint32_t window = cc.cwnd();
  for (uint32_t acked = 0; acked < window; acked += 5 * kMss) cc.OnAck(5 * kMss, kMss, kNow);
  EXPECT_EQ(cc.cwnd(), 2 * window);
}

TEST(NewRenoTest, SlowStartStopsAtSsthresh) {
  NewReno cc(kMss, 10);
  cc.OnRetransmitTimeout(9 * kMss, kMss, kNow);  // ssthresh 4.5 MSS, cwnd 1 MSS
  ASSERT_EQ(cc.ssthresh(), 9 * kMss / 2);
  ASSERT_EQ(cc.cwnd(), kMss);
  cc.OnAck(kMss, kMss, kNow);
  cc.OnAck(kMss, kMss, kNow);
  cc.OnAck(kMss, kMss, kNow);
  EXPECT_EQ(cc.cwnd(), 4 * kMss);
  cc.OnAck(2 * kMss, kMss, kNow);  // would reach 6 MSS; slow start ends at 4.5 MSS
  EXPECT_EQ(cc.cwnd(), cc.ssthresh());
}

// Congestion avoidance (RFC 5681 §3.1), counted in bytes: about one SMSS per round trip,
// whatever the ACK pattern.
TEST(NewRenoTest, CongestionAvoidanceGrowsOneSegmentPerRoundTrip) {
  for (uint32_t per_ack : {kMss, 2 * kMss, 500u}) {
    SCOPED_TRACE(testing::Message() << "bytes per ACK " << per_ack);
    NewReno cc = InCongestionAvoidance(20);
    ASSERT_EQ(cc.cwnd(), 20 * kMss);
    for (int rtt = 0; rtt < 10; ++rtt) {
      const uint32_t window = cc.cwnd();
      uint32_t acked = 0;
      while (acked < window) {
        const uint32_t n = std::min(per_ack, window - acked);
        cc.OnAck(n, kMss, kNow);
        acked += n;
      }
      EXPECT_EQ(cc.cwnd(), window + kMss) << "round trip " << rtt;
    }
  }
}

TEST(NewRenoTest, CongestionAvoidanceNeedsAWholeWindowOfAcks) {
  NewReno cc = InCongestionAvoidance(10);
  const uint32_t window = cc.cwnd();
  cc.OnAck(window - 1, kMss, kNow);
  EXPECT_EQ(cc.cwnd(), window);
  cc.OnAck(1, kMss, kNow);
  EXPECT_EQ(cc.cwnd(), window + kMss);
}

// RFC 5681 §3.2 step 2: ssthresh = max(FlightSize / 2, 2 * SMSS), cwnd = ssthresh.
struct LossCase {
  const char* name;
  uint32_t flight;
  uint32_t ssthresh;
};

class NewRenoLossTest : public testing::TestWithParam<LossCase> {};

TEST_P(NewRenoLossTest, FastRetransmitHalvesWithFloor) {
  NewReno cc(kMss, 10);
  cc.OnFastRetransmit(GetParam().flight, kMss, kNow);
  EXPECT_EQ(cc.ssthresh(), GetParam().ssthresh);
  EXPECT_EQ(cc.cwnd(), GetParam().ssthresh);
}

TEST_P(NewRenoLossTest, RetransmitTimeoutCollapsesToOneSegment) {
  NewReno cc(kMss, 10);
  cc.OnRetransmitTimeout(GetParam().flight, kMss, kNow);
  EXPECT_EQ(cc.ssthresh(), GetParam().ssthresh);
  EXPECT_EQ(cc.cwnd(), kMss);  // RFC 5681 §3.1: LW = 1 SMSS
  cc.OnAck(kMss, kMss, kNow);  // and slow start begins again
  EXPECT_EQ(cc.cwnd(), 2 * kMss);
}

INSTANTIATE_TEST_SUITE_P(Rfc5681, NewRenoLossTest,
                         testing::Values(LossCase{"large_flight", 40 * kMss, 20 * kMss},
                                         LossCase{"odd_flight", 7 * kMss, 7 * kMss / 2},
                                         LossCase{"at_floor", 4 * kMss, 2 * kMss},
                                         LossCase{"below_floor", 3 * kMss, 2 * kMss},
                                         LossCase{"empty_flight", 0, 2 * kMss}),
                         [](const testing::TestParamInfo<LossCase>& info) {
                           return info.param.name;
                         });

TEST(NewRenoTest, RecoveryExitDeflatesWithoutBurst) {
  // RFC 6582 §3.2 step 3, option 1: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
  NewReno cc(kMss, 10);
  cc.OnFastRetransmit(40 * kMss, kMss, kNow);  // ssthresh 20 MSS
  cc.set_cwnd(30 * kMss);                      // inflated by the connection
  cc.OnRecoveryExit(30 * kMss, kMss, kNow);
  EXPECT_EQ(cc.cwnd(), 20 * kMss);
  cc.set_cwnd(30 * kMss);
  cc.OnRecoveryExit(5 * kMss, kMss, kNow);  // little outstanding: no burst of 20 segments
  EXPECT_EQ(cc.cwnd(), 6 * kMss);
  cc.OnRecoveryExit(0, kMss, kNow);
  EXPECT_EQ(cc.cwnd(), 2 * kMss);
  EXPECT_EQ(cc.ssthresh(), 20 * kMss);
}

TEST(NewRenoTest, IdleRestartFallsBackToTheInitialWindow) {
  NewReno cc(kMss, 10);
  cc.set_cwnd(40 * kMss);
  cc.OnIdleRestart(kMss, kNow);  // RFC 5681 §4.1: min(IW, cwnd)
  EXPECT_EQ(cc.cwnd(), 10 * kMss);
  cc.set_cwnd(3 * kMss);
  cc.OnIdleRestart(kMss, kNow);
  EXPECT_EQ(cc.cwnd(), 3 * kMss);
}

TEST(NewRenoTest, WindowNeverOverflows) {
  NewReno cc(kMss, 10);
  cc.set_cwnd(std::numeric_limits<uint32_t>::max());
  const uint32_t top = cc.cwnd();
  EXPECT_LE(top, std::numeric_limits<uint32_t>::max() / 2);
  for (int i = 0; i < 1000; ++i) cc.OnAck(std::numeric_limits<uint32_t>::max(), kMss, kNow);
  EXPECT_EQ(cc.cwnd(), top);
}

}  // namespace
}  // namespace tcpaas::tcp
