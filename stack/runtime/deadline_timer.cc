#include "stack/runtime/deadline_timer.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace tcpaas::runtime {

absl::Status DeadlineTimer::Init() {
  const int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "timerfd_create(CLOCK_MONOTONIC)");
  fd_.Reset(fd);
  return absl::OkStatus();
}

absl::Status DeadlineTimer::Arm(Instant deadline) {
  if (deadline == armed_) return absl::OkStatus();
  itimerspec spec{};  // all zero: disarm
  if (!deadline.is_never()) {
    // An all-zero it_value would disarm; a deadline at or before the epoch fires at once.
    const int64_t ns = deadline.nanos() > 0 ? deadline.nanos() : 1;
    spec.it_value.tv_sec = ns / 1'000'000'000;
    spec.it_value.tv_nsec = ns % 1'000'000'000;
  }
  ++settime_calls_;
  if (timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
    armed_ = Instant::Never();
    return absl::ErrnoToStatus(errno, "timerfd_settime");
  }
  armed_ = deadline;
  return absl::OkStatus();
}

void DeadlineTimer::Acknowledge() {
  uint64_t expirations;
  // EAGAIN when the expiry was already consumed or the timer re-armed meanwhile: harmless.
  [[maybe_unused]] ssize_t n = ::read(fd_.get(), &expirations, sizeof(expirations));
  armed_ = Instant::Never();
}

}  // namespace tcpaas::runtime
