#include "stack/tcp/recv_buffer.h"

#include <algorithm>
#include <cstring>

namespace tcpaas::tcp {

ReceiveBuffer::ReceiveBuffer(size_t capacity) : capacity_(capacity) {}

ReceiveBuffer::WriteResult ReceiveBuffer::Write(size_t offset, absl::Span<const uint8_t> data) {
  WriteResult result;
  // Only the advertised window is ever stored (RFC 9293 §3.10.7.4: trim to the window).
  const size_t room = limit() - readable_;
  if (offset >= room) return result;
  const size_t len = std::min(data.size(), room - offset);
  if (len == 0) return result;
  if (offset > 0 && !assembler_.Add(offset, len)) {
    result.stored = false;  // one range too many: the peer will retransmit it
    return result;
  }
  if (storage_ == nullptr) {
    ring_size_ = limit();
    storage_ = std::make_unique_for_overwrite<uint8_t[]>(ring_size_);
  }
  CopyIn(offset, data.first(len));
  result.taken = len;
  if (offset > 0) return result;

  // In-order data: RCV.NXT moves over it and over any out-of-order data it reaches.
  assembler_.Advance(len);
  const size_t filled_gap = assembler_.ContiguousFront();
  assembler_.Advance(filled_gap);
  result.advanced = len + filled_gap;
  readable_ += result.advanced;
  return result;
}

void ReceiveBuffer::CopyIn(size_t offset, absl::Span<const uint8_t> data) {
  const size_t start = (head_ + readable_ + offset) % ring_size_;
  const size_t first = std::min(data.size(), ring_size_ - start);
  std::memcpy(storage_.get() + start, data.data(), first);
  std::memcpy(storage_.get(), data.data() + first, data.size() - first);
}

size_t ReceiveBuffer::Read(absl::Span<uint8_t> out) {
  const RingSlices slices = Peek();
  const size_t first = std::min(out.size(), slices.first.size());
  const size_t second = std::min(out.size() - first, slices.second.size());
  if (first > 0) std::memcpy(out.data(), slices.first.data(), first);
  if (second > 0) std::memcpy(out.data() + first, slices.second.data(), second);
  Discard(first + second);
  return first + second;
}

RingSlices ReceiveBuffer::Peek() const {
  if (readable_ == 0) return {};
  const size_t first = std::min(readable_, ring_size_ - head_);
  return {.first = {storage_.get() + head_, first}, .second = {storage_.get(), readable_ - first}};
}

void ReceiveBuffer::Discard(size_t n) {
  n = std::min(n, readable_);  // the contract says n <= readable(); never run past the data
  if (n == 0) return;
  readable_ -= n;
  // An empty ring restarts at index 0 so the next in-order data is contiguous. Out-of-order
  // data pins the ring's positions, so then the head only moves on.
  head_ = readable_ == 0 && assembler_.empty() ? 0 : (head_ + n) % ring_size_;
}

void ReceiveBuffer::ReleaseIfEmpty() {
  if (readable_ != 0 || !assembler_.empty()) return;
  storage_.reset();
  ring_size_ = 0;
  head_ = 0;
}

void ReceiveBuffer::SetCapacity(size_t capacity, size_t promised) {
  capacity_ = std::max<size_t>(capacity, 1);
  reserve_ = std::max(promised, readable_ + out_of_order_end());
  if (storage_ != nullptr && ring_size_ != limit()) Reallocate(limit());
}

void ReceiveBuffer::Reallocate(size_t ring_size) {
  // Everything from the first readable byte to the last out-of-order one keeps its offset.
  const size_t held = readable_ + out_of_order_end();
  auto fresh = std::make_unique_for_overwrite<uint8_t[]>(ring_size);
  const size_t first = std::min(held, ring_size_ - head_);
  std::memcpy(fresh.get(), storage_.get() + head_, first);
  std::memcpy(fresh.get() + first, storage_.get(), held - first);
  storage_ = std::move(fresh);
  ring_size_ = ring_size;
  head_ = 0;
}

}  // namespace tcpaas::tcp
