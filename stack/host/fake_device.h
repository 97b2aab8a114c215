// A scripted link::Device for tests of the Host and the runtime: frames to deliver are queued
// by the test, transmitted frames are kept for inspection, and the device can be made full or
// failing on demand. Not thread-safe.
#ifndef TCPAAS_STACK_HOST_FAKE_DEVICE_H_
#define TCPAAS_STACK_HOST_FAKE_DEVICE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/link/device.h"

namespace tcpaas {

class FakeDevice : public link::Device {
 public:
  explicit FakeDevice(size_t mtu = 1500, MacAddress mac = MacAddress(),
                      link::LinkLayer layer = link::LinkLayer::kEthernet)
      : mtu_(mtu), mac_(mac), layer_(layer) {}

  // --- Scripting --------------------------------------------------------------------------
  void QueueRx(std::vector<uint8_t> frame) { rx_.push_back(std::move(frame)); }
  // The next Receive() fails with `error` (once).
  void FailNextReceive(absl::Status error) { rx_error_ = std::move(error); }
  // Transmit() accepts this many more frames, then answers kUnavailable.
  void SetTxRoom(size_t frames) { tx_room_ = frames; }
  // Transmit() of the frame with this index (counting every call) fails with `error`.
  void FailTransmitCall(size_t call_index, absl::Status error) {
    tx_fail_index_ = call_index;
    tx_error_ = std::move(error);
  }

  std::vector<std::vector<uint8_t>>& transmitted() { return tx_; }
  size_t rx_pending() const { return rx_.size(); }
  size_t transmit_calls() const { return tx_calls_; }

  // --- link::Device -----------------------------------------------------------------------
  link::LinkLayer link_layer() const override { return layer_; }
  size_t mtu() const override { return mtu_; }
  MacAddress mac() const override { return mac_; }

  absl::StatusOr<size_t> Receive(absl::Span<uint8_t> buf, Instant now) override {
    if (rx_error_.has_value()) {
      absl::Status error = std::move(*rx_error_);
      rx_error_.reset();
      return error;
    }
    if (rx_.empty()) return 0;
    const std::vector<uint8_t>& frame = rx_.front();
    const size_t n = std::min(frame.size(), buf.size());  // truncates like a real device
    std::memcpy(buf.data(), frame.data(), n);
    rx_.pop_front();
    return n;
  }

  absl::Status Transmit(absl::Span<const uint8_t> frame, Instant now) override {
    const size_t index = tx_calls_++;
    if (tx_fail_index_ == index) return tx_error_;
    if (tx_room_ == 0) return absl::UnavailableError("fake device full");
    --tx_room_;
    tx_.emplace_back(frame.begin(), frame.end());
    return absl::OkStatus();
  }

 private:
  size_t mtu_;
  MacAddress mac_;
  link::LinkLayer layer_;
  std::deque<std::vector<uint8_t>> rx_;
  std::vector<std::vector<uint8_t>> tx_;
  std::optional<absl::Status> rx_error_;
  size_t tx_room_ = std::numeric_limits<size_t>::max();
  size_t tx_calls_ = 0;
  std::optional<size_t> tx_fail_index_;
  absl::Status tx_error_;
};

}  // namespace tcpaas

#endif  // TCPAAS_STACK_HOST_FAKE_DEVICE_H_
