// Packet storage. A PacketBuffer holds bytes [head, tail) inside a fixed-capacity allocation
// with headroom in front, so each layer prepends its header in place (TCP, then IPv4, then
// Ethernet) without copying the payload. Buffers cycle through a BufferPool, so the steady
// state allocates nothing per packet.
#ifndef TCPAAS_STACK_BASE_PACKET_BUFFER_H_
#define TCPAAS_STACK_BASE_PACKET_BUFFER_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/types/span.h"

namespace tcpaas {

// Room kept in front of a transport header for the lower layers: a virtio-net header (12),
// Ethernet (14) and an IPv4 header with options (60), rounded up.
inline constexpr size_t kDefaultHeadroom = 128;

class PacketBuffer {
 public:
  PacketBuffer() = default;
  PacketBuffer(size_t capacity, size_t headroom)
      : storage_(new uint8_t[capacity]), capacity_(capacity), head_(headroom), tail_(headroom) {
    assert(headroom <= capacity);
  }
  PacketBuffer(PacketBuffer&&) noexcept = default;
  PacketBuffer& operator=(PacketBuffer&&) noexcept = default;

  bool valid() const { return storage_ != nullptr; }
  uint8_t* data() { return storage_.get() + head_; }
  const uint8_t* data() const { return storage_.get() + head_; }
  size_t size() const { return tail_ - head_; }
  size_t capacity() const { return capacity_; }
  size_t headroom() const { return head_; }
  size_t tailroom() const { return capacity_ - tail_; }
  absl::Span<uint8_t> bytes() { return {data(), size()}; }
  absl::Span<const uint8_t> bytes() const { return {data(), size()}; }

  // Empties the buffer and leaves `headroom` bytes free in front.
  void Reset(size_t headroom = kDefaultHeadroom) {
    assert(headroom <= capacity_);
    head_ = tail_ = headroom;
  }
  // Grows the front by n bytes and returns a pointer to the new front. Callers check
  // headroom() first; running out is a programming error, not a packet error.
  uint8_t* Prepend(size_t n) {
    assert(n <= head_);
    head_ -= n;
    return data();
  }
  // Grows the back by n bytes and returns a pointer to the first new byte.
  uint8_t* Append(size_t n) {
    assert(n <= tailroom());
    uint8_t* p = storage_.get() + tail_;
    tail_ += n;
    return p;
  }
  void Append(absl::Span<const uint8_t> bytes);
  // Drops n bytes from the front (used when a layer consumes its header).
  void TrimFront(size_t n) {
    assert(n <= size());
    head_ += n;
  }
  // Keeps only the first n bytes.
  void Truncate(size_t n) {
    if (n < size()) tail_ = head_ + n;
  }

 private:
  std::unique_ptr<uint8_t[]> storage_;
  size_t capacity_ = 0;
  size_t head_ = 0;
  size_t tail_ = 0;
};

// A bounded free list of equally sized buffers.
class BufferPool {
 public:
  BufferPool(size_t buffer_capacity, size_t max_free)
      : buffer_capacity_(buffer_capacity), max_free_(max_free) {}

  // A buffer of buffer_capacity() bytes, empty, with `headroom` free in front.
  PacketBuffer Get(size_t headroom = kDefaultHeadroom);
  // Returns a buffer to the pool; buffers of another capacity, or beyond max_free, are freed.
  void Put(PacketBuffer buf);

  size_t buffer_capacity() const { return buffer_capacity_; }
  size_t free_count() const { return free_.size(); }

 private:
  size_t buffer_capacity_;
  size_t max_free_;
  std::vector<PacketBuffer> free_;
};

}  // namespace tcpaas

#endif  // TCPAAS_STACK_BASE_PACKET_BUFFER_H_
