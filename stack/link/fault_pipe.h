// One direction of a FaultInjector: applies a FaultSpec to the frames submitted to it and
// hands them back at their release times. Frames are copied into slots that are reused, so
// the steady state allocates nothing; at most spec.queue_limit frames are held at once.
#ifndef TCPAAS_STACK_LINK_FAULT_PIPE_H_
#define TCPAAS_STACK_LINK_FAULT_PIPE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "stack/base/random.h"
#include "stack/base/time.h"
#include "stack/link/fault_spec.h"

namespace tcpaas::link {

struct FaultStats {
  uint64_t dropped = 0;         // frames removed by the drop probability
  uint64_t duplicated = 0;      // extra copies made
  uint64_t reordered = 0;       // frames held back to go out after the next one
  uint64_t corrupted = 0;       // frames with one bit flipped
  uint64_t delayed = 0;         // frames released later than submitted (delay, jitter, rate)
  uint64_t queue_overflow = 0;  // frames dropped because queue_limit frames were held
  uint64_t inner_rejected = 0;  // released frames the wrapped device refused (full or failed)

  FaultStats& operator+=(const FaultStats& o);
  bool operator==(const FaultStats&) const = default;
};

class FaultPipe {
 public:
  // `stats` must outlive the pipe. Randomness comes from Rng(seed, stream) alone.
  FaultPipe(const FaultSpec& spec, uint64_t seed, uint64_t stream, FaultStats* stats);

  // Applies drop, duplicate, corrupt, delay, jitter, rate and reorder to one frame sent at
  // `now`, and schedules what survives.
  void Submit(absl::Span<const uint8_t> frame, Instant now);

  // The earliest frame due at `now` (release time <= now), or an empty optional. Frames due
  // at the same time come out in the order they were scheduled. The span stays valid until
  // Pop().
  std::optional<absl::Span<const uint8_t>> Due(Instant now);
  void Pop();

  // When the next frame becomes due (Never when nothing is held).
  Instant NextRelease() const;
  size_t held() const { return heap_.size() + (reorder_held_ ? 1 : 0); }

 private:
  struct Entry {
    Instant release;
    uint64_t order;  // ties in `release` go out in scheduling order
    uint32_t slot;
  };
  static bool Later(const Entry& a, const Entry& b);

  void Schedule(absl::Span<const uint8_t> frame, Instant now);
  void Push(const Entry& e);
  void ReleaseHeldIfExpired(Instant now);

  FaultSpec spec_;
  Rng rng_;
  FaultStats* stats_;
  std::vector<std::vector<uint8_t>> slots_;  // frame bytes; capacity kept across reuse
  std::vector<uint32_t> free_slots_;
  std::vector<Entry> heap_;  // min-heap on (release, order)
  std::optional<Entry> reorder_held_;
  Instant reorder_deadline_ = Instant::Never();
  Instant link_free_at_;  // rate limit: when the previous frame finishes serializing
  uint64_t next_order_ = 0;
};

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_FAULT_PIPE_H_
