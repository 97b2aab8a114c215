// A timerfd on CLOCK_MONOTONIC armed with absolute deadlines (Instants from MonotonicNow()).
// Arm() makes a syscall only when the deadline differs from the one armed, so a loop may call
// it after every wakeup.
#ifndef TCPAAS_STACK_RUNTIME_DEADLINE_TIMER_H_
#define TCPAAS_STACK_RUNTIME_DEADLINE_TIMER_H_

#include "absl/status/status.h"
#include "stack/base/time.h"
#include "stack/runtime/unique_fd.h"

namespace tcpaas::runtime {

class DeadlineTimer {
 public:
  DeadlineTimer() = default;
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;

  absl::Status Init();
  // Readable once the armed deadline has passed, until Acknowledge().
  int fd() const { return fd_.get(); }

  // Fires at `deadline` (at once if it has passed); Instant::Never() disarms.
  absl::Status Arm(Instant deadline);
  // Consumes an expiry (call when fd() was readable). The timer is then disarmed, so the next
  // Arm() sets it again even for the same deadline.
  void Acknowledge();

  // The deadline currently armed; Instant::Never() when disarmed or fired.
  Instant armed() const { return armed_; }
  // How many times Arm() reached the kernel (for tests of the "only when changed" rule).
  int settime_calls() const { return settime_calls_; }

 private:
  UniqueFd fd_;
  Instant armed_ = Instant::Never();
  int settime_calls_ = 0;
};

}  // namespace tcpaas::runtime

#endif  // TCPAAS_STACK_RUNTIME_DEADLINE_TIMER_H_
