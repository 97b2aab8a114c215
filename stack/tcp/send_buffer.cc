#include "stack/tcp/send_buffer.h"

#include <algorithm>
#include <cstring>

namespace tcpaas::tcp {

SendBuffer::SendBuffer(size_t capacity) : capacity_(capacity) {}

size_t SendBuffer::Write(absl::Span<const uint8_t> data) {
  const size_t n = std::min(data.size(), free());
  if (n == 0) return 0;
  if (storage_ == nullptr) storage_ = std::make_unique_for_overwrite<uint8_t[]>(capacity_);
  const size_t tail = (head_ + size_) % capacity_;
  const size_t first = std::min(n, capacity_ - tail);
  std::memcpy(storage_.get() + tail, data.data(), first);
  std::memcpy(storage_.get(), data.data() + first, n - first);
  size_ += n;
  return n;
}

RingSlices SendBuffer::Peek(size_t offset, size_t len) const {
  if (offset >= size_) return {};
  len = std::min(len, size_ - offset);
  const size_t start = (head_ + offset) % capacity_;
  const size_t first = std::min(len, capacity_ - start);
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
  head_ = size_ == 0 ? 0 : (head_ + n) % capacity_;
}

void SendBuffer::ReleaseIfEmpty() {
  if (size_ != 0) return;
  storage_.reset();
  head_ = 0;
}

}  // namespace tcpaas::tcp
