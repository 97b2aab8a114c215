// Congestion control behind one interface, chosen per connection by name. The connection's
// loss recovery (fast retransmit/recovery, RTO) decides *when* these are called; the
// algorithm decides what the window becomes.
#ifndef TCPAAS_STACK_TCP_CONGESTION_CONGESTION_CONTROL_H_
#define TCPAAS_STACK_TCP_CONGESTION_CONGESTION_CONTROL_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "stack/base/time.h"

namespace tcpaas::tcp {

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;
  virtual std::string_view name() const = 0;
  // A copy of the whole state: what a timeout found spurious restores (RFC 4015).
  virtual std::unique_ptr<CongestionControl> Clone() const = 0;

  virtual uint32_t cwnd() const = 0;      // bytes
  virtual uint32_t ssthresh() const = 0;  // bytes
  // Loss recovery may inflate and deflate the window directly (RFC 6582 §3.2).
  virtual void set_cwnd(uint32_t bytes) = 0;

  // New data was acknowledged outside loss recovery: slow start below ssthresh, congestion
  // avoidance above (RFC 5681 §3.1).
  virtual void OnAck(uint32_t acked_bytes, uint32_t mss, Instant now) = 0;
  // Loss detected by duplicate ACKs (RFC 5681 §3.2 step 2, RFC 6582 §3.2 step 2):
  // ssthresh = max(flight_size / 2, 2 * mss); cwnd = ssthresh (the caller adds inflation).
  virtual void OnFastRetransmit(uint32_t flight_size, uint32_t mss, Instant now) = 0;
  // Recovery ended with a full acknowledgment (RFC 6582 §3.2 step 3).
  virtual void OnRecoveryExit(uint32_t flight_size, uint32_t mss, Instant now) = 0;
  // Retransmission timeout (RFC 5681 §3.1 eq. 4 and the loss window): ssthresh =
  // max(flight_size / 2, 2 * mss); cwnd = 1 mss.
  virtual void OnRetransmitTimeout(uint32_t flight_size, uint32_t mss, Instant now) = 0;
  // The connection was idle for more than an RTO (RFC 5681 §4.1): cwnd = min(cwnd, IW).
  virtual void OnIdleRestart(uint32_t mss, Instant now) = 0;

  // Optional signals for delay-aware algorithms (HyStart++, RFC 9406); NewReno ignores them.
  // Every RTT measurement the connection takes (RFC 6298 / RFC 7323 §4), before the OnAck()
  // of the same ACK.
  virtual void OnRttSample(Duration rtt, Instant now) {}
  // A new round starts: an ACK reached the SND.MAX recorded at the previous round start
  // (RFC 9406 §4.2 "windowEnd"). Called before that ACK's OnRttSample() and OnAck().
  virtual void OnRoundStart(Instant now) {}
};

// "newreno" (RFC 5681 + RFC 6582) or "cubic" (RFC 9438 with HyStart++, RFC 9406). Initial window:
// min(iw_segments * mss, max(2 * mss, 14600)) per RFC 6928 §2. kInvalidArgument for an unknown
// name.
absl::StatusOr<std::unique_ptr<CongestionControl>> MakeCongestionControl(
    std::string_view name, uint32_t mss, uint32_t initial_window_segments);

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_CONGESTION_CONGESTION_CONTROL_H_
