// The virtual-time loop that drives our stacks over in-memory links, shared by the simulation
// (tests/sim) and the throughput matrix (tests/netsim). Each host has a device (the outermost
// decorator of its end of the link) and an application that the loop steps.
#ifndef TCPAAS_TESTS_SIM_SIM_LOOP_H_
#define TCPAAS_TESTS_SIM_SIM_LOOP_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "stack/base/time.h"
#include "stack/host/host.h"
#include "stack/link/device.h"

namespace tcpaas::sim {

// An application on one host, as the loop sees it.
class LoopApp {
 public:
  virtual ~LoopApp() = default;
  // Does whatever the application can do now. Returns true if it made progress.
  virtual bool Step(Instant now) = 0;
  // When the application wants to run again although no frame arrives: later than `now`, or
  // Never when only arriving frames and timers give it work.
  virtual Instant NextWakeup(Instant now) const = 0;
  // Why the application failed, or empty.
  virtual const std::string& failure() const = 0;
};

struct LoopSide {
  Host* host;
  link::Device* device;
  LoopApp* app;
};

struct LoopResult {
  bool finished = false;
  // When !finished: what went wrong (an application's failure, a device error, a stall, a
  // livelock or the time limit), without the time, which is `now`.
  std::string failure;
  Instant now;  // virtual time when the loop stopped
  uint64_t iterations = 0;
};

// Runs from `start` until `finished(now)` holds after a pass, an application fails, or
// something is wrong with the run itself (nothing scheduled, time standing still, or the next
// deadline beyond start + time_limit).
//
// One pass: each side lets its device release due frames, reads what arrived, runs its timers
// and application, and transmits. Frames one side's device releases reach the other side only
// in the next pass, so time advances only after a pass in which nothing happened.
LoopResult RunLoop(absl::Span<const LoopSide> sides, Instant start, Duration time_limit,
                   absl::FunctionRef<bool(Instant)> finished);

}  // namespace tcpaas::sim

#endif  // TCPAAS_TESTS_SIM_SIM_LOOP_H_
