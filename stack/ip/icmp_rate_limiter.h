// A token bucket for outgoing ICMP error messages (RFC 1812 §4.3.2.8, RFC 1122 §3.2.2).
// The bucket holds one second's worth of messages and refills continuously; integer
// arithmetic only, so runs in virtual time are exactly reproducible.
#ifndef TCPAAS_STACK_IP_ICMP_RATE_LIMITER_H_
#define TCPAAS_STACK_IP_ICMP_RATE_LIMITER_H_

#include <cstdint>
#include <optional>

#include "stack/base/time.h"

namespace tcpaas::ip {

class IcmpRateLimiter {
 public:
  // At most `per_second` messages per second, in bursts of up to `per_second`. Zero or less
  // allows none.
  explicit IcmpRateLimiter(int per_second);

  // Takes one token if one is available at `now`.
  bool Allow(Instant now);

 private:
  // One token is kUnit credits; a second of elapsed time adds per_second_ * kUnit credits.
  static constexpr int64_t kUnit = 1'000'000'000;
  int64_t per_second_;
  int64_t credits_;
  std::optional<Instant> last_refill_;
};

}  // namespace tcpaas::ip

#endif  // TCPAAS_STACK_IP_ICMP_RATE_LIMITER_H_
