#include "stack/tcp/congestion/cubic.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stack/tcp/congestion/newreno.h"

namespace tcpaas::tcp {
namespace {

// cwnd never grows past this, so additions cannot overflow 32 bits (as NewReno).
constexpr uint32_t kMaxCwnd = std::numeric_limits<uint32_t>::max() / 2;

// A gap between two ACKs that grow cwnd longer than one smoothed RTT plus this (a delayed
// ACK, Linux's 40 ms) means the sender was not cwnd-limited for the rest of the gap.
constexpr Duration kAckGapSlack = Duration::Millis(40);

uint32_t ValidMss(uint32_t mss) { return std::max<uint32_t>(mss, 1); }

uint32_t ClampCwnd(double bytes) {
  return static_cast<uint32_t>(std::clamp(bytes, 1.0, static_cast<double>(kMaxCwnd)));
}

}  // namespace

Cubic::Cubic(uint32_t mss, uint32_t initial_window_segments)
    : initial_window_segments_(initial_window_segments),
      cwnd_(InitialWindow(mss, initial_window_segments)),
      ssthresh_(std::numeric_limits<uint32_t>::max()) {}

void Cubic::set_cwnd(uint32_t bytes) { cwnd_ = std::min(bytes, kMaxCwnd); }

void Cubic::OnAck(uint32_t acked_bytes, uint32_t mss, Instant now) {
  mss = ValidMss(mss);
  if (cwnd_ < ssthresh_) acked_bytes = SlowStart(acked_bytes);
  if (acked_bytes > 0) CongestionAvoidance(acked_bytes, mss, now);
  last_ack_ = now;
}

uint32_t Cubic::SlowStart(uint32_t acked_bytes) {
  // RFC 5681 §3.1 slow start counting every acknowledged byte (as NewReno here and Linux's
  // tcp_slow_start); RFC 9406 §4.2: in CSS, cwnd grows by N / CSS_GROWTH_DIVISOR.
  const uint32_t divisor = hystart_active() ? hystart_.growth_divisor() : 1;
  const uint32_t increase = acked_bytes / divisor;
  const uint32_t room = ssthresh_ - cwnd_;
  if (increase < room) {
    cwnd_ = std::min(cwnd_ + increase, kMaxCwnd);
    return 0;
  }
  cwnd_ = std::min(ssthresh_, kMaxCwnd);
  return increase - room;  // the rest counts towards congestion avoidance
}

void Cubic::CongestionAvoidance(uint32_t acked_bytes, uint32_t mss, Instant now) {
  if (epoch_start_ == Instant::Never()) {
    StartEpoch(mss, now);
  } else if (last_ack_ != Instant::Never() && now > last_ack_) {
    // RFC 9438 §5.8: t must not include periods in which cwnd was not updated because the
    // flow was application-limited or idle (Linux moves epoch_start on CA_EVENT_TX_START).
    // OnAck() comes only while cwnd limits the sender; a cwnd-limited flow gets ACKs at
    // least once a round trip, so the rest of a longer gap was such a period.
    const Duration gap = now - last_ack_;
    const Duration allowance = srtt_ + kAckGapSlack;
    if (gap > allowance) epoch_start_ = std::min(epoch_start_ + (gap - allowance), now);
  }
  const double seg = mss;
  const double cwnd = std::max<double>(cwnd_, 1);
  const double t = (now - epoch_start_).seconds();

  // RFC 9438 §4.3: W_est grows by alpha_cubic segments per window of acknowledged data;
  // alpha_cubic becomes 1 once W_est reached cwnd_prior.
  const double alpha = w_est_ >= cwnd_prior_ ? 1.0 : kAlpha;
  w_est_ += alpha * seg * acked_bytes / cwnd;

  if (CubicWindow(t, mss) < w_est_) {
    // Reno-friendly region (§4.3): cwnd = W_est, in whole segments.
    if (w_est_ >= cwnd + seg) cwnd_ = ClampCwnd(cwnd + seg * std::floor((w_est_ - cwnd) / seg));
    return;
  }
  // Concave (§4.4) and convex (§4.5) regions: the target is W_cubic one RTT ahead, kept
  // within [cwnd, 1.5 * cwnd] (§4.2); cwnd grows by (target - cwnd) / cwnd per segment
  // acknowledged.
  const double target = std::clamp(CubicWindow(t + srtt_.seconds(), mss), cwnd, 1.5 * cwnd);
  growth_credit_ += (target - cwnd) * acked_bytes / cwnd;
  if (growth_credit_ >= seg) {
    const double segments = std::floor(growth_credit_ / seg);
    growth_credit_ -= segments * seg;
    cwnd_ = ClampCwnd(cwnd + segments * seg);
  }
}

void Cubic::StartEpoch(uint32_t mss, Instant now) {
  // RFC 9438 §4.2: t_epoch, cwnd_epoch and K = cubic_root((W_max - cwnd_epoch) / C); §4.3:
  // W_est = cwnd_epoch. Without a larger W_max (no congestion event yet, §4.10; after a
  // timeout, §4.8; or cwnd already above it) K = 0 and W_max = cwnd_epoch.
  epoch_start_ = now;
  growth_credit_ = 0;
  w_est_ = cwnd_;
  if (w_max_ <= cwnd_) {
    w_max_ = cwnd_;
    k_ = 0;
  } else {
    k_ = std::cbrt((w_max_ - cwnd_) / ValidMss(mss) / kC);
  }
}

double Cubic::CubicWindow(double t_seconds, uint32_t mss) const {
  // RFC 9438 §4.2 Figure 1: W_cubic(t) = C * (t - K)^3 + W_max, in segments.
  const double d = t_seconds - k_;
  return kC * d * d * d * ValidMss(mss) + w_max_;
}

void Cubic::ReduceOnCongestion(uint32_t mss) {
  const double cwnd = cwnd_;
  // RFC 9438 §4.7 fast convergence: a W_max lower than the last one means the available
  // capacity shrank (another flow came); release some of it.
  w_max_ = cwnd < w_max_ ? cwnd * (1 + kBeta) / 2 : cwnd;
  // §4.6: ssthresh = cwnd * beta_cubic (as Linux, from cwnd rather than FlightSize), at
  // least 2 segments; beta_cubic = 7 / 10 in integers, so that no rounding creeps in.
  cwnd_prior_ = cwnd;
  ssthresh_ = std::max(static_cast<uint32_t>(uint64_t{cwnd_} * 7 / 10), 2 * mss);
  // RFC 9406: a congestion event ends HyStart++ (ssthresh is now known).
  hystart_enabled_ = false;
  EndEpoch();
}

void Cubic::EndEpoch() {
  epoch_start_ = Instant::Never();
  growth_credit_ = 0;
}

void Cubic::OnFastRetransmit(uint32_t flight_size, uint32_t mss, Instant now) {
  // RFC 9438 §4.6 multiplicative decrease; the caller inflates cwnd during recovery.
  ReduceOnCongestion(ValidMss(mss));
  cwnd_ = ssthresh_;
  in_recovery_ = true;
}

void Cubic::OnRecoveryExit(uint32_t flight_size, uint32_t mss, Instant now) {
  // RFC 6582 §3.2 step 3, option 1 (as NewReno): min(ssthresh, max(FlightSize, SMSS) +
  // SMSS). The congestion avoidance stage, and with it t_epoch, starts at the next ACK.
  mss = ValidMss(mss);
  const uint64_t limit = uint64_t{std::max(flight_size, mss)} + mss;
  cwnd_ = static_cast<uint32_t>(std::min<uint64_t>(ssthresh_, limit));
  in_recovery_ = false;
  EndEpoch();
}

void Cubic::OnRetransmitTimeout(uint32_t flight_size, uint32_t mss, Instant now) {
  mss = ValidMss(mss);
  // RFC 9438 §4.8: ssthresh from beta_cubic as in §4.6, cwnd as Reno's loss window (RFC
  // 5681 §3.1: 1 SMSS). A timeout during fast recovery keeps the ssthresh that recovery
  // set (as Linux's tcp_enter_loss) rather than reducing twice for one episode.
  if (!in_recovery_) ReduceOnCongestion(mss);
  in_recovery_ = false;
  cwnd_ = mss;
  // §4.8: the next congestion avoidance stage starts with K = 0 and W_max = its cwnd.
  w_max_ = 0;
  hystart_enabled_ = false;
  EndEpoch();
}

void Cubic::OnIdleRestart(uint32_t mss, Instant now) {
  // RFC 5681 §4.1: cwnd = RW = min(IW, cwnd). A reduced window starts a new congestion
  // avoidance stage when it grows back to ssthresh.
  const uint32_t restart = std::min(cwnd_, InitialWindow(mss, initial_window_segments_));
  if (restart < cwnd_) {
    cwnd_ = restart;
    EndEpoch();
  }
  // A new slow start: old round minimums say nothing about the path now.
  if (hystart_enabled_) hystart_.Reset();
}

void Cubic::OnRttSample(Duration rtt, Instant now) {
  if (rtt < Duration::Zero()) return;
  // The RTT of §4.2's W_cubic(t + RTT) is the smoothed RTT; RFC 6298 §2.3 weights.
  srtt_ = have_rtt_ ? (srtt_ * 7 + rtt) / 8 : rtt;
  have_rtt_ = true;
  if (hystart_active()) hystart_.OnRttSample(rtt);
}

void Cubic::OnRoundStart(Instant now) {
  if (!hystart_active()) return;
  hystart_.OnRoundStart();
  if (hystart_.phase() == HyStart::Phase::kCongestionAvoidance) {
    // RFC 9406 §4.2: CSS lasted CSS_ROUNDS rounds: ssthresh = cwnd, congestion avoidance.
    // RFC 9438 §4.10: with no congestion event, cwnd_prior = cwnd, and the stage starts
    // with K = 0 and W_max = cwnd.
    ssthresh_ = cwnd_;
    cwnd_prior_ = cwnd_;
    w_max_ = 0;
    hystart_enabled_ = false;
    EndEpoch();
  }
}

}  // namespace tcpaas::tcp
