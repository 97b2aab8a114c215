// NewReno congestion control: RFC 5681 slow start and congestion avoidance, with appropriate
// byte counting (RFC 3465; slow start without its L limit, as Linux), and the window changes
// of RFC 6582 fast recovery. The connection
// runs the recovery itself (duplicate ACK counting, retransmissions, window inflation).
//
// Congestion avoidance counts bytes (RFC 5681 §3.1, the byte-counting variant of eq. 3;
// RFC 3465 §2.1): acknowledged bytes accumulate and cwnd grows by one SMSS each time they
// reach cwnd, i.e. exactly one SMSS per window's worth of ACKs, whatever the ACK pattern.
#ifndef TCPAAS_STACK_TCP_CONGESTION_NEWRENO_H_
#define TCPAAS_STACK_TCP_CONGESTION_NEWRENO_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "stack/base/time.h"
#include "stack/tcp/congestion/congestion_control.h"

namespace tcpaas::tcp {

// RFC 6928 §2: IW = min(segments * mss, max(2 * mss, 14600)).
uint32_t InitialWindow(uint32_t mss, uint32_t initial_window_segments);

class NewReno final : public CongestionControl {
 public:
  static constexpr std::string_view kName = "newreno";

  NewReno(uint32_t mss, uint32_t initial_window_segments);

  std::string_view name() const override { return kName; }
  std::unique_ptr<CongestionControl> Clone() const override {
    return std::make_unique<NewReno>(*this);
  }
  uint32_t cwnd() const override { return cwnd_; }
  uint32_t ssthresh() const override { return ssthresh_; }
  void set_cwnd(uint32_t bytes) override;

  void OnAck(uint32_t acked_bytes, uint32_t mss, Instant now) override;
  void OnFastRetransmit(uint32_t flight_size, uint32_t mss, Instant now) override;
  void OnRecoveryExit(uint32_t flight_size, uint32_t mss, Instant now) override;
  void OnRetransmitTimeout(uint32_t flight_size, uint32_t mss, Instant now) override;
  void OnIdleRestart(uint32_t mss, Instant now) override;

 private:
  // Sets ssthresh after a loss: RFC 5681 §3.1 eq. 4, max(FlightSize / 2, 2 * SMSS).
  void ReduceSsthresh(uint32_t flight_size, uint32_t mss);

  uint32_t initial_window_segments_;
  uint32_t cwnd_;
  // RFC 5681 §3.1: the initial ssthresh is arbitrarily high, reduced by the first loss.
  uint32_t ssthresh_;
  // Bytes acknowledged in congestion avoidance since cwnd last grew.
  uint32_t bytes_acked_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_CONGESTION_NEWRENO_H_
