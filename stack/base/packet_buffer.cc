#include "stack/base/packet_buffer.h"

#include <cstring>

namespace tcpaas {

void PacketBuffer::Append(absl::Span<const uint8_t> bytes) {
  if (bytes.empty()) return;
  std::memcpy(Append(bytes.size()), bytes.data(), bytes.size());
}

PacketBuffer BufferPool::Get(size_t headroom) {
  if (free_.empty()) return PacketBuffer(buffer_capacity_, headroom);
  PacketBuffer buf = std::move(free_.back());
  free_.pop_back();
  buf.Reset(headroom);
  return buf;
}

void BufferPool::Put(PacketBuffer buf) {
  if (!buf.valid() || buf.capacity() != buffer_capacity_ || free_.size() >= max_free_) return;
  free_.push_back(std::move(buf));
}

}  // namespace tcpaas
