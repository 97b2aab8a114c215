// The stack's one clock. The protocol core never reads a clock: the runtime reads this one
// and passes `now` down.
#ifndef TCPAAS_STACK_RUNTIME_CLOCK_H_
#define TCPAAS_STACK_RUNTIME_CLOCK_H_

#include "stack/base/time.h"

namespace tcpaas::runtime {

// CLOCK_MONOTONIC as an Instant. The epoch is the one timerfd's absolute CLOCK_MONOTONIC
// deadlines use, so an Instant from here can arm a timerfd directly.
Instant MonotonicNow();

}  // namespace tcpaas::runtime

#endif  // TCPAAS_STACK_RUNTIME_CLOCK_H_
