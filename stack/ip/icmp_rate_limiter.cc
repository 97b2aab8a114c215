#include "stack/ip/icmp_rate_limiter.h"

#include <algorithm>

namespace tcpaas::ip {

IcmpRateLimiter::IcmpRateLimiter(int per_second)
    : per_second_(std::max(per_second, 0)), credits_(per_second_ * kUnit) {}

bool IcmpRateLimiter::Allow(Instant now) {
  if (per_second_ == 0) return false;
  const int64_t capacity = per_second_ * kUnit;
  if (last_refill_.has_value() && now > *last_refill_) {
    // Elapsed time beyond one second cannot add more than a full bucket; capping it first
    // keeps the product below 2^63 for any sane rate.
    const int64_t elapsed_ns = std::min((now - *last_refill_).nanos(), kUnit);
    credits_ = std::min(capacity, credits_ + elapsed_ns * per_second_);
  }
  if (!last_refill_.has_value() || now > *last_refill_) last_refill_ = now;
  if (credits_ < kUnit) return false;
  credits_ -= kUnit;
  return true;
}

}  // namespace tcpaas::ip
