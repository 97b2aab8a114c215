// A point-to-point Ethernet link over an AF_UNIX SOCK_SEQPACKET socket pair: each end has a
// real, non-blocking fd and every frame is one datagram. It lets tests run two event loops
// (epoll on fd()) against each other without root or a TAP device.
#ifndef TCPAAS_STACK_LINK_SOCKET_PAIR_H_
#define TCPAAS_STACK_LINK_SOCKET_PAIR_H_

#include <cstddef>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "stack/link/device.h"
#include "stack/wire/addr.h"

namespace tcpaas::link {

// Returns the ends {a, b} reporting MACs `a` and `b`. Transmit returns kUnavailable when the
// socket's send buffer is full (a few hundred frames); once the other end is closed,
// Transmit and Receive fail with kFailedPrecondition. Frames larger than mtu + 14 bytes, or
// empty, are refused with kInvalidArgument.
absl::StatusOr<std::pair<std::unique_ptr<Device>, std::unique_ptr<Device>>> CreateSocketPairLink(
    size_t mtu, MacAddress a, MacAddress b);

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_SOCKET_PAIR_H_
