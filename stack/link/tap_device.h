// A Linux TAP device: the stack's Ethernet frames go in and out through /dev/net/tun.
//
// The kernel side of the TAP is an ordinary interface (with its own MAC) that the kernel
// routes through; our stack sits at the far end of that virtual cable with the MAC in
// TapOptions. Frames carry no packet-information prefix (IFF_NO_PI). The fd is non-blocking,
// so Receive() returns 0 when nothing is queued; the runtime waits on fd() with epoll.
//
// The device exists while this object lives (the TAP is not made persistent): destroying it
// removes the interface, its addresses and routes.
#ifndef TCPAAS_STACK_LINK_TAP_DEVICE_H_
#define TCPAAS_STACK_LINK_TAP_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/time.h"
#include "stack/link/device.h"
#include "stack/wire/addr.h"

namespace tcpaas::link {

struct TapOptions {
  std::string name;      // interface name, e.g. "tcpaas0" (<= 15 chars); empty: kernel picks
  size_t mtu = 1500;     // L3 MTU; also set on the kernel side (SIOCSIFMTU)
  std::string netns;     // if non-empty: create the device inside /var/run/netns/<netns>
  MacAddress mac;        // the stack's own MAC; zero = a random locally administered one
  bool bring_up = true;  // set the kernel side IFF_UP

  // Reserved for the fast path (DESIGN.md "Built for speed"); Create() refuses them today.
  // vnet_hdr: open with IFF_VNET_HDR and TUNSETOFFLOAD so that frames carry a virtio-net
  // header and may be 64 KiB segments the kernel cuts (TSO) or coalesced (GRO).
  bool vnet_hdr = false;
  // queues > 1: IFF_MULTI_QUEUE, one fd per queue, one stack shard per queue.
  int queues = 1;
};

class TapDevice : public Device {
 public:
  static absl::StatusOr<std::unique_ptr<TapDevice>> Create(const TapOptions& options);
  ~TapDevice() override;

  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;

  LinkLayer link_layer() const override { return LinkLayer::kEthernet; }
  size_t mtu() const override { return mtu_; }
  MacAddress mac() const override { return mac_; }
  absl::StatusOr<size_t> Receive(absl::Span<uint8_t> buf, Instant now) override;
  absl::Status Transmit(absl::Span<const uint8_t> frame, Instant now) override;
  int fd() const override { return fd_; }

  // The interface name the kernel gave the device (differs from TapOptions::name only when
  // that was empty).
  const std::string& name() const { return name_; }
  // The namespace the device lives in ("" for the caller's).
  const std::string& netns() const { return netns_; }

 private:
  TapDevice(int fd, std::string name, std::string netns, size_t mtu, MacAddress mac);

  int fd_;
  std::string name_;
  std::string netns_;
  size_t mtu_;
  MacAddress mac_;
};

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_TAP_DEVICE_H_
