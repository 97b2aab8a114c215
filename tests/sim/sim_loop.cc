#include "tests/sim/sim_loop.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace tcpaas::sim {
namespace {

// After this many loop iterations without virtual time moving, the run is a livelock.
constexpr uint64_t kMaxIterationsPerInstant = 100'000;

}  // namespace

LoopResult RunLoop(absl::Span<const LoopSide> sides, Instant start, Duration time_limit,
                   absl::FunctionRef<bool(Instant)> finished) {
  LoopResult out;
  Instant now = start;
  const Instant limit = start + time_limit;
  uint64_t same_instant = 0;
  auto run_pass = [&]() -> bool {
    ++out.iterations;
    bool progress = false;
    for (const LoopSide& side : sides) {
      side.device->Poll(now);
      auto n = side.host->ReceiveFrom(*side.device, now);
      if (!n.ok()) {
        out.failure = absl::StrCat("device receive: ", n.status().ToString());
        return false;
      }
      progress |= *n > 0;
      side.host->Poll(now);
      progress |= side.app->Step(now);
      const size_t queued = side.host->tx_queue_size();
      if (absl::Status st = side.host->FlushTo(*side.device, now); !st.ok()) {
        out.failure = absl::StrCat("device transmit: ", st.ToString());
        return false;
      }
      progress |= side.host->tx_queue_size() != queued;
    }
    return progress;
  };
  auto app_failure = [&]() -> const std::string* {
    for (const LoopSide& side : sides) {
      if (!side.app->failure().empty()) return &side.app->failure();
    }
    return nullptr;
  };
  while (true) {
    bool progress = run_pass();
    if (!progress && out.failure.empty()) progress = run_pass();
    if (!out.failure.empty()) break;
    if (const std::string* why = app_failure()) {
      out.failure = *why;
      break;
    }
    if (finished(now)) {
      out.finished = true;
      break;
    }
    if (progress) {
      if (++same_instant > kMaxIterationsPerInstant) {
        out.failure = "livelock: no virtual time passes";
        break;
      }
      continue;
    }
    Instant next = Instant::Never();
    for (const LoopSide& side : sides) {
      next = Earliest(next, side.host->NextDeadline());
      next = Earliest(next, side.device->NextDeadline());
      next = Earliest(next, side.app->NextWakeup(now));
    }
    if (next.is_never()) {
      out.failure = "stalled: nothing is scheduled and nobody is done";
      break;
    }
    if (next > limit) {
      out.failure = absl::StrCat("time limit ", time_limit.ToString(), " exceeded");
      break;
    }
    if (next > now) {
      now = next;
      same_instant = 0;
    } else if (++same_instant > kMaxIterationsPerInstant) {
      out.failure = "livelock: a deadline in the past is never cleared";
      break;
    }
  }
  out.now = now;
  return out;
}

}  // namespace tcpaas::sim
