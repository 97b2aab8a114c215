#include "stack/link/memory_link.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "stack/link/frame_ring.h"
#include "stack/wire/ethernet.h"

namespace tcpaas::link {
namespace {

// What both ends share: one queue per direction, and which ends are still alive.
struct MemoryLinkState {
  MemoryLinkState(const MemoryLinkOptions& o, size_t max_frame)
      : options(o),
        queues{FrameRing(o.queue_limit, max_frame), FrameRing(o.queue_limit, max_frame)} {}
  MemoryLinkOptions options;
  std::array<FrameRing, 2> queues;  // queues[i]: frames waiting to be received by end i
  std::array<bool, 2> alive = {true, true};
};

class MemoryLinkEnd : public Device {
 public:
  MemoryLinkEnd(std::shared_ptr<MemoryLinkState> state, int side)
      : state_(std::move(state)), side_(side) {}
  ~MemoryLinkEnd() override { state_->alive[side_] = false; }

  LinkLayer link_layer() const override { return state_->options.link_layer; }
  size_t mtu() const override { return state_->options.mtu; }
  MacAddress mac() const override {
    if (state_->options.link_layer != LinkLayer::kEthernet) return MacAddress();
    return side_ == 0 ? state_->options.mac_a : state_->options.mac_b;
  }

  absl::StatusOr<size_t> Receive(absl::Span<uint8_t> buf, Instant now) override {
    FrameRing& queue = state_->queues[side_];
    if (queue.empty()) return 0;
    const absl::Span<const uint8_t> frame = queue.Front();
    const size_t n = std::min(frame.size(), buf.size());  // truncate into a short buffer
    if (n > 0) std::memcpy(buf.data(), frame.data(), n);
    queue.Pop();
    return n;
  }

  absl::Status Transmit(absl::Span<const uint8_t> frame, Instant now) override {
    const int peer = 1 - side_;
    FrameRing& queue = state_->queues[peer];
    if (frame.empty() || frame.size() > queue.max_frame_size()) {
      return absl::InvalidArgumentError(absl::StrCat("memory link: frame of ", frame.size(),
                                                     " bytes; the link carries 1..",
                                                     queue.max_frame_size()));
    }
    if (!state_->alive[peer]) return absl::OkStatus();  // nobody at the far end
    if (!queue.Push(frame)) {
      return absl::UnavailableError(
          absl::StrCat("memory link: queue of ", queue.capacity(), " frames is full"));
    }
    return absl::OkStatus();
  }

 private:
  std::shared_ptr<MemoryLinkState> state_;
  int side_;
};

}  // namespace

std::pair<std::unique_ptr<Device>, std::unique_ptr<Device>> CreateMemoryLinkPair(
    const MemoryLinkOptions& options) {
  const size_t header = options.link_layer == LinkLayer::kEthernet ? wire::kEthernetHeaderSize : 0;
  auto state = std::make_shared<MemoryLinkState>(options, options.mtu + header);
  return {std::make_unique<MemoryLinkEnd>(state, 0), std::make_unique<MemoryLinkEnd>(state, 1)};
}

}  // namespace tcpaas::link
