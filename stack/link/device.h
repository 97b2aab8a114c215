// The one interface every network device implements: TAP, TUN, the in-memory link used by
// simulations, and decorators (fault injector, pcap writer) that wrap any of them.
//
// Devices are driven by the stack thread only and never block. Every call takes the current
// time so that devices with their own timing (delay, rate limits) work in virtual time.
#ifndef TCPAAS_STACK_LINK_DEVICE_H_
#define TCPAAS_STACK_LINK_DEVICE_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"

namespace tcpaas::link {

enum class LinkLayer {
  kEthernet,  // frames start with an Ethernet II header (TAP)
  kIp,        // frames are bare IP packets (TUN, utun)
};

class Device {
 public:
  virtual ~Device() = default;

  virtual LinkLayer link_layer() const = 0;
  // The largest L3 packet the device carries (1500 for a default TAP).
  virtual size_t mtu() const = 0;
  // The device's own hardware address, for kEthernet devices; zero otherwise.
  virtual MacAddress mac() const { return MacAddress(); }

  // Reads one frame into `buf` without blocking. Returns the frame's length, 0 when no frame
  // is ready, or an error for a device failure. A frame longer than `buf` is truncated by the
  // device; callers size `buf` for mtu() plus the link header.
  virtual absl::StatusOr<size_t> Receive(absl::Span<uint8_t> buf, Instant now) = 0;

  // Queues one frame for transmission without blocking. kUnavailable means "full, try later"
  // (the caller keeps or drops the frame); any other error is a device failure.
  virtual absl::Status Transmit(absl::Span<const uint8_t> frame, Instant now) = 0;

  // A file descriptor that becomes readable when Receive() may return a frame, or -1 for
  // devices without one (memory links: the driver polls them).
  virtual int fd() const { return -1; }

  // Lets a device with timing of its own (delay, rate limit) release the frames due at `now`.
  virtual void Poll(Instant now) {}

  // The earliest time at which Poll() has work to do (a delayed frame to release).
  virtual Instant NextDeadline() const { return Instant::Never(); }
};

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_DEVICE_H_
