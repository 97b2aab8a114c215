// A bounded first-in first-out queue of link frames: the Host's transmit queue. A ring over a
// vector that grows (doubling) up to the limit and never shrinks, so a busy stack stops
// allocating once the ring has reached its working size.
#ifndef TCPAAS_STACK_HOST_FRAME_QUEUE_H_
#define TCPAAS_STACK_HOST_FRAME_QUEUE_H_

#include <cstddef>
#include <vector>

#include "stack/base/packet_buffer.h"

namespace tcpaas {

class FrameQueue {
 public:
  explicit FrameQueue(size_t limit) : limit_(limit) {}
  FrameQueue(const FrameQueue&) = delete;
  FrameQueue& operator=(const FrameQueue&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ >= limit_; }
  size_t limit() const { return limit_; }

  // Appends a frame. Returns false, leaving `frame` untouched, when the queue is full.
  bool Push(PacketBuffer& frame);
  // The oldest frame; the queue must not be empty.
  PacketBuffer& front() { return slots_[head_]; }
  // Removes and returns the oldest frame; the queue must not be empty.
  PacketBuffer PopFront();

 private:
  void Grow();

  size_t limit_;
  std::vector<PacketBuffer> slots_;  // ring storage; its size is the current capacity
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace tcpaas

#endif  // TCPAAS_STACK_HOST_FRAME_QUEUE_H_
