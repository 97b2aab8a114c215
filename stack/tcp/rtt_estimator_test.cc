#include "stack/tcp/rtt_estimator.h"

#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

// Durations are compared as nanoseconds so a failure prints numbers, not bytes.

Duration Ms(int64_t ms) { return Duration::Millis(ms); }
Duration Us(int64_t us) { return Duration::Micros(us); }

TEST(RttEstimatorTest, BeforeAnySampleUsesTheInitialRto) {
  RttEstimator rtt({});
  EXPECT_FALSE(rtt.has_sample());
  EXPECT_EQ(rtt.rto().nanos(), Duration::Seconds(1).nanos());  // RFC 6298 §2.1
  EXPECT_EQ(rtt.backoffs(), 0);
}

TEST(RttEstimatorTest, FirstSampleSetsSrttAndHalfVariance) {
  RttEstimator rtt({});
  rtt.AddSample(Ms(500));
  EXPECT_TRUE(rtt.has_sample());
  EXPECT_EQ(rtt.srtt().nanos(), Ms(500).nanos());    // RFC 6298 §2.2: SRTT <- R
  EXPECT_EQ(rtt.rttvar().nanos(), Ms(250).nanos());  // RTTVAR <- R/2
  EXPECT_EQ(rtt.rto().nanos(), Ms(1500).nanos());    // SRTT + 4 * RTTVAR
}

// Sample sequences against values computed by hand from RFC 6298 §2.3:
//   RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|,  SRTT <- 7/8 SRTT + 1/8 R',
//   RTO <- SRTT + max(min_rto, 4 RTTVAR), clamped to [min_rto, max_rto].
struct SampleCase {
  const char* name;
  std::vector<Duration> samples;
  Duration srtt;
  Duration rttvar;
  Duration rto;
};

class RttEstimatorSamplesTest : public testing::TestWithParam<SampleCase> {};

TEST_P(RttEstimatorSamplesTest, MatchesHandComputedValues) {
  const SampleCase& c = GetParam();
  RttEstimator rtt({});
  for (Duration s : c.samples) rtt.AddSample(s);
  EXPECT_EQ(rtt.srtt().nanos(), c.srtt.nanos());
  EXPECT_EQ(rtt.rttvar().nanos(), c.rttvar.nanos());
  EXPECT_EQ(rtt.rto().nanos(), c.rto.nanos());
}

INSTANTIATE_TEST_SUITE_P(
    Rfc6298, RttEstimatorSamplesTest,
    testing::Values(
        // 500: srtt 500, var 250, rto 1500.
        // 300: var = 187.5 + 50 = 237.5; srtt = 437.5 + 37.5 = 475; rto = 475 + 950 = 1425.
        SampleCase{"two_samples", {Ms(500), Ms(300)}, Ms(475), Us(237500), Us(1425000)},
        // 800: var = (712.5 + 325) / 4 = 259.375; srtt = (3325 + 800) / 8 = 515.625;
        // rto = 515.625 + 1037.5 = 1553.125.
        SampleCase{
            "three_samples", {Ms(500), Ms(300), Ms(800)}, Us(515625), Us(259375), Us(1553125)},
        // 100: srtt 100, var 50. 100 again: var = 37.5, srtt = 100; 4 var = 150 < 200, so the
        // variance term is the 200 ms floor: rto = 300.
        SampleCase{"steady_hits_variance_floor", {Ms(100), Ms(100)}, Ms(100), Us(37500), Ms(300)},
        // 40: srtt 40, var 20; 4 var = 80 < 200 ms: rto = 40 + 200.
        SampleCase{"short_first_sample", {Ms(40)}, Ms(40), Ms(20), Ms(240)},
        // 100 s: 100 + 200 = 300 s, above max_rto: 120 s (RFC 6298 §2.5).
        SampleCase{"clamped_to_max",
                   {Duration::Seconds(100)},
                   Duration::Seconds(100),
                   Duration::Seconds(50),
                   Duration::Seconds(120)},
        // Negative (clock mishap) counts as zero: rto = max(min_rto, 0 + 200 ms).
        SampleCase{"negative_sample_is_zero", {Ms(-5)}, Ms(0), Ms(0), Ms(200)}),
    [](const testing::TestParamInfo<SampleCase>& info) { return info.param.name; });

TEST(RttEstimatorTest, VarianceDecaysButRtoKeepsTheFloorAboveSrtt) {
  RttEstimator rtt({});
  for (int i = 0; i < 200; ++i) rtt.AddSample(Ms(10));
  EXPECT_EQ(rtt.srtt().nanos(), Ms(10).nanos());
  EXPECT_LT(rtt.rttvar().nanos(), Us(1).nanos());
  EXPECT_EQ(rtt.rto().nanos(), Ms(210).nanos());  // SRTT + min_rto, never SRTT alone
}

TEST(RttEstimatorTest, RfcMinimumOfOneSecond) {
  RttEstimator::Config config;
  config.min_rto = Duration::Seconds(1);  // RFC 6298 §2.4
  RttEstimator rtt(config);
  rtt.AddSample(Ms(10));
  EXPECT_EQ(rtt.rto().nanos(), Ms(1010).nanos());
}

TEST(RttEstimatorTest, BackoffDoublesUpToTheCap) {
  RttEstimator rtt({});
  rtt.AddSample(Ms(100));  // rto 300 ms
  const std::vector<Duration> want = {Ms(600),
                                      Ms(1200),
                                      Ms(2400),
                                      Ms(4800),
                                      Ms(9600),
                                      Ms(19200),
                                      Ms(38400),
                                      Ms(76800),
                                      Duration::Seconds(120),
                                      Duration::Seconds(120)};
  for (size_t i = 0; i < want.size(); ++i) {
    rtt.Backoff();
    EXPECT_EQ(rtt.backoffs(), static_cast<int>(i + 1));
    EXPECT_EQ(rtt.rto().nanos(), want[i].nanos()) << "after " << i + 1 << " backoffs";
  }
  for (int i = 0; i < 100; ++i) rtt.Backoff();  // no overflow however long it goes on
  EXPECT_EQ(rtt.rto().nanos(), Duration::Seconds(120).nanos());
}

TEST(RttEstimatorTest, BackoffBeforeAnySampleDoublesTheInitialRto) {
  RttEstimator rtt({});
  rtt.Backoff();
  rtt.Backoff();
  EXPECT_EQ(rtt.rto().nanos(),
            Duration::Seconds(4).nanos());  // SYN retransmissions: 1 s, 2 s, 4 s, ...
}

TEST(RttEstimatorTest, UnboundedMaximumDoesNotOverflow) {
  RttEstimator::Config config;
  config.max_rto = Duration::Infinite();
  RttEstimator rtt(config);
  for (int i = 0; i < 200; ++i) rtt.Backoff();
  EXPECT_GT(rtt.rto().nanos(), Duration::Seconds(1'000'000).nanos());
}

TEST(RttEstimatorTest, ResetBackoffKeepsTheEstimate) {
  RttEstimator rtt({});
  rtt.AddSample(Ms(100));
  rtt.Backoff();
  rtt.Backoff();
  ASSERT_EQ(rtt.rto().nanos(), Ms(1200).nanos());
  rtt.ResetBackoff();  // RFC 6298 §5.7
  EXPECT_EQ(rtt.backoffs(), 0);
  EXPECT_EQ(rtt.rto().nanos(), Ms(300).nanos());
  EXPECT_EQ(rtt.srtt().nanos(), Ms(100).nanos());
  EXPECT_EQ(rtt.rttvar().nanos(), Ms(50).nanos());
}

TEST(RttEstimatorTest, SampleDuringBackoffUpdatesTheBase) {
  RttEstimator rtt({});
  rtt.AddSample(Ms(100));
  rtt.Backoff();
  rtt.AddSample(Ms(100));  // srtt 100, var 37.5 => base 300 ms, still backed off once
  EXPECT_EQ(rtt.rto().nanos(), Ms(600).nanos());
}

}  // namespace
}  // namespace tcpaas::tcp
