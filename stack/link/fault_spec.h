// What a FaultInjector does to frames, and its one-line text form for flags and test names:
//   "drop=0.05,dup=0.01,reorder=0.02,corrupt=0.001,delay=10ms,jitter=2ms,rate=100mbit"
#ifndef TCPAAS_STACK_LINK_FAULT_SPEC_H_
#define TCPAAS_STACK_LINK_FAULT_SPEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "stack/base/time.h"

namespace tcpaas::link {

struct FaultSpec {
  // Probabilities in [0, 1], drawn independently per frame.
  double drop = 0;       // the frame vanishes
  double duplicate = 0;  // the frame is sent twice
  double reorder = 0;    // the frame is held back and released after the next one
  double corrupt = 0;    // one random bit of one random byte is flipped (per copy)
  Duration delay;        // constant one-way delay
  Duration jitter;       // plus a uniform extra delay in [0, jitter]; frames may overtake
  uint64_t rate_bits_per_second = 0;  // 0 = unlimited; otherwise each frame occupies the link
                                      // for its serialization time, and frames queue behind it
  size_t queue_limit = 4096;          // frames held (delayed, rate-limited); beyond it: dropped
  bool apply_to_receive = false;      // also apply the faults to received frames
  // A frame held back for reordering goes out at the latest this long after its own release
  // time when no next frame comes to overtake it.
  Duration reorder_hold = Duration::Millis(1);

  // Keys: drop, dup (or duplicate), reorder, corrupt (probabilities: 0.05 or 5%); delay,
  // jitter, hold (durations with a unit: ns, us, ms, s); rate (bit, kbit, mbit, gbit per
  // second; 0 = unlimited); queue (frames); rx (0/1/true/false, or bare "rx"). "" and "none"
  // are the spec with no faults. Unknown keys and malformed values are errors.
  static absl::StatusOr<FaultSpec> Parse(std::string_view spec);
  // The canonical text form, listing only the fields that differ from the defaults ("none"
  // when nothing does). Parse(ToString()) returns an equal spec.
  std::string ToString() const;

  // True when frames pass unchanged and undelayed.
  bool IsPassThrough() const;

  bool operator==(const FaultSpec&) const = default;
};

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_FAULT_SPEC_H_
