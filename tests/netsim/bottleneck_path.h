// The network of the throughput matrix and the fairness tests: a point-to-point path between
// host A and host B made of a bottleneck (a link of fixed rate with a bounded FIFO in front)
// followed by a lossy, delaying (and, on request, reordering) stretch, in each direction:
//
//   host --> [pcap] --> bottleneck: rate, queue --> path: delay, loss, jitter --> memory link
//
// Both are FaultInjectors on the transmitting end. They are separate so that the bottleneck's
// queue limit counts only frames waiting for the link, not frames propagating behind it, and
// so that a lost frame has used its share of the bottleneck as on a real lossy hop.
#ifndef TCPAAS_TESTS_NETSIM_BOTTLENECK_PATH_H_
#define TCPAAS_TESTS_NETSIM_BOTTLENECK_PATH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "stack/base/time.h"
#include "stack/link/device.h"
#include "stack/link/fault_injector.h"
#include "stack/link/fault_pipe.h"

namespace tcpaas::netsim {

struct PathSpec {
  uint64_t rate_bits_per_second = 100'000'000;   // each direction
  size_t queue_frames = 64;                      // frames waiting for (or on) the bottleneck
  Duration one_way_delay = Duration::Millis(5);  // each direction: RTT = 2 x this
  double loss = 0;                               // each direction, independent per frame
  // Extra uniform delay in [0, jitter] per frame from A to B, after the bottleneck: frames
  // overtake each other (reordering of the data direction).
  Duration jitter_a_to_b;
  size_t mtu = 1500;
};

// One end of the path: what a host transmits into and receives from, and the injectors
// inside it for their statistics.
struct PathEnd {
  std::unique_ptr<link::Device> device;
  link::FaultInjector* bottleneck = nullptr;
  link::FaultInjector* path = nullptr;
};

struct Path {
  PathEnd a;  // host A's end: A's transmissions cross A->B
  PathEnd b;
};

// Builds the path; every random draw comes from `seed`. With a non-empty `pcap_prefix`, each
// end records the first 128 bytes of every frame its host sends and receives to
// <pcap_prefix>-a.pcap and -b.pcap.
absl::StatusOr<Path> BuildPath(const PathSpec& spec, uint64_t seed, const std::string& pcap_prefix);

// The frames the two injectors of one end removed from its transmissions.
struct PathDrops {
  uint64_t queue = 0;  // the bottleneck's queue was full
  uint64_t loss = 0;   // random loss on the path
  uint64_t other = 0;  // the path's own bound, or the memory link refusing a frame
};
PathDrops TransmitDrops(const PathEnd& end);

}  // namespace tcpaas::netsim

#endif  // TCPAAS_TESTS_NETSIM_BOTTLENECK_PATH_H_
