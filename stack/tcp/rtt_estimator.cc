#include "stack/tcp/rtt_estimator.h"

#include <limits>

namespace tcpaas::tcp {
namespace {

// Samples are clamped to this so the integer arithmetic below cannot overflow; no real path
// has a longer round trip.
constexpr Duration kMaxSample = Duration::Seconds(3600);

Duration Abs(Duration d) { return d < Duration::Zero() ? Duration::Zero() - d : d; }

}  // namespace

RttEstimator::RttEstimator(const Config& config)
    : config_(config), base_rto_(Min(Max(config.initial_rto, config.min_rto), config.max_rto)) {}

void RttEstimator::AddSample(Duration rtt) {
  rtt = Min(Max(rtt, Duration::Zero()), kMaxSample);
  if (!has_sample_) {
    // RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2.
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    has_sample_ = true;
  } else {
    // RFC 6298 §2.3, beta = 1/4 and alpha = 1/8; RTTVAR uses the SRTT from before this sample.
    rttvar_ = (rttvar_ * 3 + Abs(srtt_ - rtt)) / 4;
    srtt_ = (srtt_ * 7 + rtt) / 8;
  }
  // RFC 6298 §2.2/§2.3 with K = 4, but the variance term never below min_rto (as Linux does),
  // so a path with a steady RTT keeps a margin over SRTT; then §2.4 and §2.5 bounds.
  const Duration rto = srtt_ + Max(config_.min_rto, rttvar_ * 4);
  base_rto_ = Min(Max(rto, config_.min_rto), config_.max_rto);
}

Duration RttEstimator::rto() const {
  // RFC 6298 §5.5: each expiry doubles the timeout; §2.5: at most max_rto.
  Duration rto = base_rto_;
  for (int i = 0; i < backoffs_ && rto < config_.max_rto; ++i) {
    if (rto > Duration::Infinite() / 2) return config_.max_rto;  // doubling would overflow
    rto = rto * 2;
  }
  return Min(rto, config_.max_rto);
}

void RttEstimator::Backoff() {
  if (backoffs_ < std::numeric_limits<int>::max()) ++backoffs_;
}

}  // namespace tcpaas::tcp
