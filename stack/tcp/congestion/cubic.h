// CUBIC congestion control (RFC 9438) with HyStart++ (RFC 9406) in the initial slow start.
//
// After a congestion event the window follows W_cubic(t) = C * (t - K)^3 + W_max (§4.2),
// concave up to the window of the last event (W_max) and convex beyond it, and never falls
// behind W_est, the window a Reno flow would have reached in the same time (§4.3). On loss
// cwnd is multiplied by beta_cubic = 0.7 instead of Reno's 0.5 (§4.6).
//
// Windows are kept in bytes and grow by whole segments in congestion avoidance (as Linux);
// the formulas work in segments of the `mss` each call passes, and in seconds.
// The connection runs loss recovery itself and only calls OnAck() while cwnd limits the
// sender (RFC 7661), so the time t of the cubic curve skips the gaps between those calls
// (application-limited or idle periods, §5.8).
#ifndef TCPAAS_STACK_TCP_CONGESTION_CUBIC_H_
#define TCPAAS_STACK_TCP_CONGESTION_CUBIC_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "stack/base/time.h"
#include "stack/tcp/congestion/congestion_control.h"
#include "stack/tcp/congestion/hystart.h"

namespace tcpaas::tcp {

class Cubic final : public CongestionControl {
 public:
  static constexpr std::string_view kName = "cubic";
  // RFC 9438 §5.1 and §4.6.
  static constexpr double kC = 0.4;
  static constexpr double kBeta = 0.7;
  // RFC 9438 §4.3: the additive increase that makes an AIMD(alpha, beta_cubic) flow as
  // fast as Reno on average.
  static constexpr double kAlpha = 3 * (1 - kBeta) / (1 + kBeta);

  Cubic(uint32_t mss, uint32_t initial_window_segments);

  std::string_view name() const override { return kName; }
  std::unique_ptr<CongestionControl> Clone() const override {
    return std::make_unique<Cubic>(*this);
  }
  uint32_t cwnd() const override { return cwnd_; }
  uint32_t ssthresh() const override { return ssthresh_; }
  void set_cwnd(uint32_t bytes) override;

  void OnAck(uint32_t acked_bytes, uint32_t mss, Instant now) override;
  void OnFastRetransmit(uint32_t flight_size, uint32_t mss, Instant now) override;
  void OnRecoveryExit(uint32_t flight_size, uint32_t mss, Instant now) override;
  void OnRetransmitTimeout(uint32_t flight_size, uint32_t mss, Instant now) override;
  void OnIdleRestart(uint32_t mss, Instant now) override;
  void OnRttSample(Duration rtt, Instant now) override;
  void OnRoundStart(Instant now) override;

  // For tests and diagnostics.
  const HyStart& hystart() const { return hystart_; }
  bool hystart_active() const { return hystart_enabled_ && cwnd_ < ssthresh_; }
  double w_max_bytes() const { return w_max_; }
  double k_seconds() const { return k_; }
  Duration smoothed_rtt() const { return srtt_; }

 private:
  // Slow start (RFC 5681 §3.1, counting every acknowledged byte as Linux does), slowed down
  // in HyStart++'s CSS. Returns the bytes left over once cwnd reached ssthresh.
  uint32_t SlowStart(uint32_t acked_bytes);
  void CongestionAvoidance(uint32_t acked_bytes, uint32_t mss, Instant now);
  // RFC 9438 §4.2: a congestion avoidance stage begins at `now`.
  void StartEpoch(uint32_t mss, Instant now);
  // W_cubic(t) in bytes (RFC 9438 §4.2 Figure 1).
  double CubicWindow(double t_seconds, uint32_t mss) const;
  // RFC 9438 §4.6 and §4.7: W_max (with fast convergence), cwnd_prior and ssthresh after a
  // congestion event.
  void ReduceOnCongestion(uint32_t mss);
  void EndEpoch();

  uint32_t initial_window_segments_;
  uint32_t cwnd_;
  uint32_t ssthresh_;

  // RFC 9438 §4.1 state, in bytes and seconds.
  double w_max_ = 0;       // W_max; 0 until a congestion event (then K = 0, §4.8, §4.10)
  double cwnd_prior_ = 0;  // cwnd when ssthresh was last set (§4.3)
  double w_est_ = 0;       // W_est (§4.3)
  double k_ = 0;           // K (§4.2)
  Instant epoch_start_ = Instant::Never();  // t_epoch; Never() outside congestion avoidance
  double growth_credit_ = 0;                // increase earned, below one segment
  Instant last_ack_ = Instant::Never();     // the last OnAck() (for §5.8)
  bool in_recovery_ = false;  // between OnFastRetransmit() and the end of that recovery

  Duration srtt_ = Duration::Zero();  // RFC 6298 §2 smoothing of the samples
  bool have_rtt_ = false;
  HyStart hystart_;
  // HyStart++ runs while ssthresh is still the initial one (RFC 9406 §4.2: the initial
  // slow start); a congestion event ends it for good.
  bool hystart_enabled_ = true;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_CONGESTION_CUBIC_H_
