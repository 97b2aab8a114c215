#include "stack/tcp/send_buffer.h"

#include <algorithm>
#include <cstring>

namespace tcpaas::tcp {

SendBuffer::SendBuffer(size_t capacity) : capacity_(capacity) {}

size_t SendBuffer::Write(absl::Span<const uint8_t> data) {
  const size_t n = std::min(data.size(), free());
  if (n == 0) return 0;
  if (storage_ == nullptr) {
    storage_ = std::make_unique_for_overwrite<uint8_t[]>(capacity_);
    ring_size_ = capacity_;
  }
  const size_t tail = (head_ + size_) % ring_size_;
  const size_t first = std::min(n, ring_size_ - tail);
  std::memcpy(storage_.get() + tail, data.data(), first);
  std::memcpy(storage_.get(), data.data() + first, n - first);
  size_ += n;
  return n;
}

RingSlices SendBuffer::Peek(size_t offset, size_t len) const {
  if (offset >= size_) return {};
  len = std::min(len, size_ - offset);
  const size_t start = (head_ + offset) % ring_size_;
  const size_t first = std::min(len, ring_size_ - start);
  return {.first = {storage_.get() + start, first}, .second = {storage_.get(), len - first}};
}

size_t SendBuffer::CopyOut(size_t offset, absl::Span<uint8_t> out) const {
  const RingSlices slices = Peek(offset, out.size());
  if (!slices.first.empty()) std::memcpy(out.data(), slices.first.data(), slices.first.size());
  if (!slices.second.empty()) {
    std::memcpy(out.data() + slices.first.size(), slices.second.data(), slices.second.size());
  }
  return slices.size();
}

void SendBuffer::Consume(size_t n) {
  n = std::min(n, size_);  // the contract says n <= size(); never run past the data anyway
  if (n == 0) return;
  size_ -= n;
  // An empty ring restarts at index 0, so the next writes and segments are contiguous.
  head_ = size_ == 0 ? 0 : (head_ + n) % ring_size_;
}

void SendBuffer::ReleaseIfEmpty() {
  if (size_ != 0) return;
  storage_.reset();
  ring_size_ = 0;
  head_ = 0;
}

void SendBuffer::SetCapacity(size_t capacity) {
  capacity_ = std::max<size_t>(capacity, 1);
  if (storage_ != nullptr && capacity_ >= size_ && capacity_ != ring_size_) Reallocate(capacity_);
}

void SendBuffer::Reallocate(size_t ring_size) {
  auto fresh = std::make_unique_for_overwrite<uint8_t[]>(ring_size);
  CopyOut(0, absl::MakeSpan(fresh.get(), size_));
  storage_ = std::move(fresh);
  ring_size_ = ring_size;
  head_ = 0;
}

}  // namespace tcpaas::tcp
