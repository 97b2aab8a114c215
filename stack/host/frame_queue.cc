#include "stack/host/frame_queue.h"

#include <algorithm>
#include <utility>

namespace tcpaas {

bool FrameQueue::Push(PacketBuffer& frame) {
  if (full()) return false;
  if (size_ == slots_.size()) Grow();
  slots_[(head_ + size_) % slots_.size()] = std::move(frame);
  ++size_;
  return true;
}

PacketBuffer FrameQueue::PopFront() {
  PacketBuffer frame = std::move(slots_[head_]);
  head_ = (head_ + 1) % slots_.size();
  --size_;
  return frame;
}

void FrameQueue::Grow() {
  const size_t capacity = std::min(limit_, std::max<size_t>(16, slots_.size() * 2));
  std::vector<PacketBuffer> grown(capacity);
  for (size_t i = 0; i < size_; ++i) grown[i] = std::move(slots_[(head_ + i) % slots_.size()]);
  slots_ = std::move(grown);
  head_ = 0;
}

}  // namespace tcpaas
