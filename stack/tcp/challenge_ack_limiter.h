// RFC 5961 §7: a stack-wide limit on challenge ACKs, so that an attacker cannot use them to
// make the stack send unbounded traffic (and cannot learn much from the limit either).
#ifndef TCPAAS_STACK_TCP_CHALLENGE_ACK_LIMITER_H_
#define TCPAAS_STACK_TCP_CHALLENGE_ACK_LIMITER_H_

#include <cstdint>

#include "stack/base/time.h"

namespace tcpaas::tcp {

class ChallengeAckLimiter {
 public:
  explicit ChallengeAckLimiter(int per_second) : per_second_(per_second) {}

  // True if one more challenge ACK may be sent now; counts it.
  bool Allow(Instant now) {
    if (now - window_start_ >= Duration::Seconds(1) || now < window_start_) {
      window_start_ = now;
      sent_in_window_ = 0;
    }
    if (sent_in_window_ >= per_second_) return false;
    ++sent_in_window_;
    return true;
  }

 private:
  int per_second_;
  Instant window_start_ = Instant::Zero();
  int sent_in_window_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_CHALLENGE_ACK_LIMITER_H_
