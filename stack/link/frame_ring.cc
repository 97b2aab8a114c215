#include "stack/link/frame_ring.h"

#include <cstring>

namespace tcpaas::link {

FrameRing::FrameRing(size_t capacity, size_t max_frame_size)
    : slots_(capacity), max_frame_size_(max_frame_size) {}

bool FrameRing::Push(absl::Span<const uint8_t> frame) {
  if (full() || frame.size() > max_frame_size_) return false;
  Slot& slot = slots_[(head_ + count_) % slots_.size()];
  if (slot.bytes == nullptr)
    slot.bytes = std::make_unique_for_overwrite<uint8_t[]>(max_frame_size_);
  if (!frame.empty()) std::memcpy(slot.bytes.get(), frame.data(), frame.size());
  slot.size = frame.size();
  ++count_;
  return true;
}

absl::Span<const uint8_t> FrameRing::Front() const {
  if (empty()) return {};
  const Slot& slot = slots_[head_];
  return {slot.bytes.get(), slot.size};
}

void FrameRing::Pop() {
  if (empty()) return;
  head_ = (head_ + 1) % slots_.size();
  --count_;
}

}  // namespace tcpaas::link
