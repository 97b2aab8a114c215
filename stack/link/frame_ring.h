// A bounded FIFO of frames with storage that is allocated once per slot and reused, so a
// link in steady state copies frames without allocating. Not thread-safe.
#ifndef TCPAAS_STACK_LINK_FRAME_RING_H_
#define TCPAAS_STACK_LINK_FRAME_RING_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/types/span.h"

namespace tcpaas::link {

class FrameRing {
 public:
  // Holds up to `capacity` frames of at most `max_frame_size` bytes each.
  FrameRing(size_t capacity, size_t max_frame_size);

  size_t size() const { return count_; }
  size_t capacity() const { return slots_.size(); }
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == slots_.size(); }
  size_t max_frame_size() const { return max_frame_size_; }

  // Copies `frame` to the back. False when full or when the frame exceeds max_frame_size().
  bool Push(absl::Span<const uint8_t> frame);
  // The frame at the front; empty span when the ring is empty.
  absl::Span<const uint8_t> Front() const;
  void Pop();

 private:
  struct Slot {
    std::unique_ptr<uint8_t[]> bytes;  // max_frame_size_ bytes, allocated on first use
    size_t size = 0;
  };
  std::vector<Slot> slots_;
  size_t max_frame_size_;
  size_t head_ = 0;
  size_t count_ = 0;
};

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_FRAME_RING_H_
