// An in-memory point-to-point link for simulations: whatever one end transmits, the other end
// receives, in order, after being copied into a bounded queue. No fd, no clock, no threads:
// the simulation polls both ends in virtual time (wrap an end in a FaultInjector for loss,
// delay and the like).
#ifndef TCPAAS_STACK_LINK_MEMORY_LINK_H_
#define TCPAAS_STACK_LINK_MEMORY_LINK_H_

#include <cstddef>
#include <memory>
#include <utility>

#include "stack/link/device.h"
#include "stack/wire/addr.h"

namespace tcpaas::link {

struct MemoryLinkOptions {
  size_t mtu = 1500;
  LinkLayer link_layer = LinkLayer::kEthernet;
  MacAddress mac_a, mac_b;    // the MACs the two ends report (kEthernet only)
  size_t queue_limit = 1024;  // frames queued per direction; Transmit beyond: kUnavailable
};

// Returns the two ends {a, b}. Each end stays usable when the other is destroyed: frames
// already queued toward it can still be received, and frames it transmits are discarded as
// on a cable with nothing at the far end. Frames larger than mtu plus the link header are
// refused with kInvalidArgument. Not thread-safe: drive both ends from one thread.
std::pair<std::unique_ptr<Device>, std::unique_ptr<Device>> CreateMemoryLinkPair(
    const MemoryLinkOptions& options);

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_MEMORY_LINK_H_
