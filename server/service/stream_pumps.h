// The two halves of moving bytes between a gRPC stream and a TCP connection, shared by Send,
// Recv and Dial. Both keep at most one message's worth of bytes (DESIGN.md: one read and one
// write in flight per stream), so memory is bounded by the message size, not by the transfer.
#ifndef TCPAAS_SERVER_SERVICE_STREAM_PUMPS_H_
#define TCPAAS_SERVER_SERVICE_STREAM_PUMPS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "stack/base/time.h"
#include "stack/tcp/types.h"

namespace tcpaas {
class Host;
}  // namespace tcpaas

namespace tcpaas::server {

// Client -> connection: the bytes of one message, written into the TCP send buffer as room
// appears.
class OutboundBytes {
 public:
  // Takes the message's bytes (swapped out of the request, no copy).
  void Take(std::string* data);
  bool empty() const { return offset_ >= data_.size(); }
  // Writes as much as fits. True when everything is in the send buffer; false when the rest
  // waits for kWritable. Errors are the TCP layer's (closed, write side shut).
  absl::StatusOr<bool> Write(Host& host, tcp::ConnId conn, Instant now);
  // Drops what was not written.
  void Clear();
  uint64_t accepted() const { return accepted_; }  // bytes taken by TCP so far

 private:
  std::string data_;
  size_t offset_ = 0;
  uint64_t accepted_ = 0;
};

// Connection -> client: reads the next message's worth of bytes.
struct InboundChunk {
  bool ready = false;  // data or EOF to send now; false: wait for kReadable/kPeerFin/kClosed
  bool eof = false;    // the peer's FIN: no more data after this chunk
};
// Fills `out` with up to `max_bytes` of received data (the string is reused between calls).
// kAborted (reset before the FIN) comes from the TCP layer.
absl::StatusOr<InboundChunk> ReadChunk(Host& host, tcp::ConnId conn, size_t max_bytes,
                                       std::string* out, Instant now);

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_STREAM_PUMPS_H_
