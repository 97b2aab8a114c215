#include "server/service/stream_pumps.h"

#include <algorithm>
#include <utility>

#include "absl/types/span.h"
#include "stack/host/host.h"

namespace tcpaas::server {

void OutboundBytes::Take(std::string* data) {
  data_.clear();
  data_.swap(*data);
  offset_ = 0;
}

absl::StatusOr<bool> OutboundBytes::Write(Host& host, tcp::ConnId conn, Instant now) {
  while (offset_ < data_.size()) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(data_.data()) + offset_;
    absl::StatusOr<size_t> n =
        host.tcp().Send(conn, absl::MakeConstSpan(bytes, data_.size() - offset_), now);
    if (!n.ok()) return n.status();
    if (*n == 0) return false;
    offset_ += *n;
    accepted_ += *n;
  }
  Clear();
  return true;
}

void OutboundBytes::Clear() {
  data_.clear();
  offset_ = 0;
}

absl::StatusOr<InboundChunk> ReadChunk(Host& host, tcp::ConnId conn, size_t max_bytes,
                                       std::string* out, Instant now) {
  const size_t available = std::min(host.tcp().RecvAvailable(conn), max_bytes);
  out->resize(available);
  absl::StatusOr<tcp::RecvResult> result = host.tcp().Recv(
      conn, absl::MakeSpan(reinterpret_cast<uint8_t*>(out->data()), out->size()), now);
  if (!result.ok()) {
    out->clear();
    return result.status();
  }
  out->resize(result->bytes);
  InboundChunk chunk;
  chunk.eof = result->eof;
  chunk.ready = result->bytes > 0 || result->eof;
  return chunk;
}

}  // namespace tcpaas::server
