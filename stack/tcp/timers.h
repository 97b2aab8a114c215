// The timers of one connection, as data: a deadline per kind, Instant::Never() when off.
// The connection arms and cancels them; the layer only asks for the earliest deadline and
// calls the connection back when it passes (see timer_queue.h).
#ifndef TCPAAS_STACK_TCP_TIMERS_H_
#define TCPAAS_STACK_TCP_TIMERS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stack/base/time.h"

namespace tcpaas::tcp {

enum class TimerKind : uint8_t {
  kRetransmit,   // RFC 6298: SYN, SYN-ACK, data or FIN unacknowledged
  kPersist,      // RFC 9293 §3.8.6.1 zero-window probes; sender SWS override (§3.8.6.2.1)
  kDelayedAck,   // RFC 9293 §3.8.6.3, RFC 5681 §4.2
  kKeepalive,    // RFC 9293 §3.8.4, RFC 1122 §4.2.3.6
  kTimeWait,     // 2 MSL (RFC 9293 §3.10.7.4, TIME-WAIT)
  kFinWait2,     // orphaned FIN-WAIT-2 (Linux tcp_fin_timeout)
  kConnect,      // ConnectionOptions::connect_timeout
  kUserTimeout,  // RFC 9293 §3.10.8, RFC 5482
  kLossProbe,    // RFC 8985 §7.2 TLP's probe timeout (PTO), armed instead of kRetransmit
  kRackReorder,  // RFC 8985 §6.2 RACK_reorder_timeout: a segment's reordering window ends
  kCount,
};
inline constexpr size_t kTimerKindCount = static_cast<size_t>(TimerKind::kCount);

std::string_view TimerKindName(TimerKind k);

class TimerSet {
 public:
  TimerSet() { deadlines_.fill(Instant::Never()); }

  void Arm(TimerKind k, Instant deadline) { deadlines_[Index(k)] = deadline; }
  // Arms `k` unless it is already running.
  void ArmIfIdle(TimerKind k, Instant deadline) {
    if (!armed(k)) Arm(k, deadline);
  }
  void Cancel(TimerKind k) { deadlines_[Index(k)] = Instant::Never(); }
  void CancelAll() { deadlines_.fill(Instant::Never()); }

  bool armed(TimerKind k) const { return !deadlines_[Index(k)].is_never(); }
  Instant deadline(TimerKind k) const { return deadlines_[Index(k)]; }
  bool due(TimerKind k, Instant now) const { return deadlines_[Index(k)] <= now; }

  // The earliest deadline of all kinds (Instant::Never() when none is armed).
  Instant Earliest() const {
    Instant e = Instant::Never();
    for (Instant d : deadlines_) e = tcpaas::Earliest(e, d);
    return e;
  }

 private:
  static size_t Index(TimerKind k) { return static_cast<size_t>(k); }
  std::array<Instant, kTimerKindCount> deadlines_;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_TIMERS_H_
