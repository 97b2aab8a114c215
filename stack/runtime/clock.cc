#include "stack/runtime/clock.h"

#include <time.h>

#include <cstdint>

namespace tcpaas::runtime {

Instant MonotonicNow() {
  timespec ts{};
  // CLOCK_MONOTONIC cannot fail with a valid timespec pointer (clock_gettime(2)).
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Instant::FromNanos(int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec);
}

}  // namespace tcpaas::runtime
