// A Host is one complete sans-I/O stack: an interface's IP layer, the TCP layer on top, the
// stack's counters and the queue of frames waiting for the device. The runtime's event loop
// drives a Host over a real device; simulations and tests drive Hosts in virtual time.
//
//   device --frame--> Host::OnFrame --> IpLayer --> TcpLayer
//   TcpLayer --> IpLayer --> Host::OutputFrame (queue) --> Host::FlushTo(device)
#ifndef TCPAAS_STACK_HOST_HOST_H_
#define TCPAAS_STACK_HOST_HOST_H_

#include <cstddef>
#include <vector>

#include "absl/types/span.h"
#include "stack/base/counters.h"
#include "stack/base/packet_buffer.h"
#include "stack/base/time.h"
#include "stack/host/frame_queue.h"
#include "stack/ip/ip_layer.h"
#include "stack/ip/transport.h"
#include "stack/link/device.h"
#include "stack/tcp/tcp_layer.h"

namespace tcpaas {

struct HostConfig {
  ip::InterfaceConfig interface;
  tcp::TcpConfig tcp;
  // Frames queued for the device beyond this are dropped (counted as kLinkTxError). A full
  // device queue keeps frames here until the next flush.
  size_t tx_queue_limit = 4096;
};

class Host : public ip::FrameSink {
 public:
  explicit Host(const HostConfig& config);
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  ip::IpLayer& ip() { return ip_; }
  tcp::TcpLayer& tcp() { return tcp_; }
  StackCounters& counters() { return counters_; }
  const StackCounters& counters() const { return counters_; }

  // Announces the interface (gratuitous ARP).
  void Start(Instant now);
  // One frame from the device. Frames longer than the MTU plus the link header are dropped
  // (kLinkRxOversize).
  void OnFrame(absl::Span<const uint8_t> frame, Instant now);
  // Runs the timers of both layers that are due.
  void Poll(Instant now);
  Instant NextDeadline() const;

  // Reads every frame the device has ready (up to `max_frames`), processes them, and returns
  // how many were read. Device errors are returned (frames read before the error have been
  // processed).
  absl::StatusOr<size_t> ReceiveFrom(link::Device& device, Instant now, size_t max_frames = 256);
  // Transmits queued frames in order until the queue is empty or the device is full
  // (kUnavailable: that frame stays queued for the next flush). A frame the device refuses
  // with any other error is dropped (kLinkTxError); the rest are still tried and the first
  // such error is returned.
  absl::Status FlushTo(link::Device& device, Instant now);
  size_t tx_queue_size() const { return tx_queue_.size(); }

  // ip::FrameSink.
  void OutputFrame(PacketBuffer frame) override;

 private:
  HostConfig config_;
  StackCounters counters_;
  ip::IpLayer ip_;
  tcp::TcpLayer tcp_;
  FrameQueue tx_queue_;            // bounded by config_.tx_queue_limit
  std::vector<uint8_t> rx_frame_;  // one receive buffer, reused for every frame
};

}  // namespace tcpaas

#endif  // TCPAAS_STACK_HOST_HOST_H_
