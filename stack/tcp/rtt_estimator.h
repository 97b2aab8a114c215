// Round-trip time estimation and the retransmission timeout (RFC 6298).
#ifndef TCPAAS_STACK_TCP_RTT_ESTIMATOR_H_
#define TCPAAS_STACK_TCP_RTT_ESTIMATOR_H_

#include "stack/base/time.h"

namespace tcpaas::tcp {

class RttEstimator {
 public:
  struct Config {
    Duration initial_rto = Duration::Seconds(1);  // RFC 6298 §2.1
    Duration min_rto = Duration::Millis(200);     // Linux; RFC 6298 §2.4 suggests 1s
    Duration max_rto = Duration::Seconds(120);    // RFC 6298 §2.5 allows an upper bound
  };
  explicit RttEstimator(const Config& config);

  // One RTT measurement (RFC 6298 §2.2 for the first, §2.3 after). Karn's rule (§3) is the
  // caller's: never sample a retransmitted segment unless timestamps disambiguate.
  // RTO = SRTT + max(min_rto, 4 * RTTVAR), as Linux does, clamped to [min_rto, max_rto].
  void AddSample(Duration rtt);

  bool has_sample() const { return has_sample_; }
  Duration srtt() const { return srtt_; }
  Duration rttvar() const { return rttvar_; }
  // The current timeout with backoff applied, at most max_rto.
  Duration rto() const;
  // RFC 6298 §5.5: the timer expired, double the timeout.
  void Backoff();
  // New data was acknowledged: drop the backoff (RFC 6298 §5.7 keeps the estimate).
  void ResetBackoff() { backoffs_ = 0; }
  int backoffs() const { return backoffs_; }

 private:
  Config config_;
  bool has_sample_ = false;
  Duration srtt_;
  Duration rttvar_;
  Duration base_rto_;  // before backoff
  int backoffs_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_RTT_ESTIMATOR_H_
