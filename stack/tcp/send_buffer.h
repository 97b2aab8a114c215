// The send side's bytes: what the user queued and the peer has not acknowledged yet, in a
// ring. Offset 0 is the oldest unacknowledged byte (the byte at SND.UNA once established).
// Segments are built straight from Peek()'s slices; nothing is copied per segment but the
// final copy into the packet. Storage is allocated on the first Write() and may be released
// while empty, so an idle connection costs only its control block.
#ifndef TCPAAS_STACK_TCP_SEND_BUFFER_H_
#define TCPAAS_STACK_TCP_SEND_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"

namespace tcpaas::tcp {

// Up to two contiguous pieces of a ring (the second is empty unless the range wraps).
struct RingSlices {
  absl::Span<const uint8_t> first;
  absl::Span<const uint8_t> second;
  size_t size() const { return first.size() + second.size(); }
};

class SendBuffer {
 public:
  explicit SendBuffer(size_t capacity);

  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }  // queued and not yet acknowledged
  size_t free() const { return capacity_ > size_ ? capacity_ - size_ : 0; }
  bool empty() const { return size_ == 0; }
  // Whether ring storage is currently allocated (it is not until the first Write()).
  bool allocated() const { return storage_ != nullptr; }

  // Appends as much of `data` as fits; returns the number of bytes taken.
  size_t Write(absl::Span<const uint8_t> data);
  // Up to `len` bytes starting `offset` bytes after the oldest byte. Valid until the next
  // Write() or Consume(). Empty if offset >= size().
  RingSlices Peek(size_t offset, size_t len) const;
  // Copies Peek(offset, out.size()) into out; returns the bytes copied.
  size_t CopyOut(size_t offset, absl::Span<uint8_t> out) const;
  // The oldest n bytes were acknowledged (n <= size()).
  void Consume(size_t n);
  // Frees the storage if the buffer is empty (it is allocated again on the next Write()).
  void ReleaseIfEmpty();
  // Changes how much the buffer may hold (> 0). Queued bytes are never dropped: below
  // size() the buffer just takes nothing more until enough is acknowledged. Storage that
  // exists is resized at once if the queued bytes fit the new capacity (a copy), else when
  // it is next released.
  void SetCapacity(size_t capacity);

 private:
  // Moves the queued bytes into fresh storage of `ring_size` bytes, starting at index 0.
  void Reallocate(size_t ring_size);

  size_t capacity_;
  std::unique_ptr<uint8_t[]> storage_;
  size_t ring_size_ = 0;  // bytes of storage_ (>= capacity_ unless shrunk below size_)
  size_t head_ = 0;       // index of the oldest byte
  size_t size_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_SEND_BUFFER_H_
