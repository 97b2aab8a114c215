// The receive side's bytes, in a ring of fixed capacity. In-order bytes wait at the front for
// the user; out-of-order bytes are written straight into their place further along (that
// region is exactly the receive window we advertised) and an Assembler remembers which parts
// are filled. Nothing is ever held beyond the capacity, so a peer cannot grow our memory, and
// the advertised window is the free space: a slow reader closes it.
#ifndef TCPAAS_STACK_TCP_RECV_BUFFER_H_
#define TCPAAS_STACK_TCP_RECV_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"
#include "stack/tcp/assembler.h"
#include "stack/tcp/send_buffer.h"

namespace tcpaas::tcp {

class ReceiveBuffer {
 public:
  explicit ReceiveBuffer(size_t capacity);

  size_t capacity() const { return capacity_; }
  // In-order bytes waiting for the user.
  size_t readable() const { return readable_; }
  // Room from RCV.NXT on: what may be advertised as the receive window.
  size_t window() const { return capacity_ - readable_; }
  // Whether ring storage is currently allocated (it is not until data first arrives).
  bool allocated() const { return storage_ != nullptr; }

  struct WriteResult {
    size_t advanced = 0;  // how far RCV.NXT moves (new in-order bytes, gap fills included)
    bool stored = true;   // false if out-of-order data could not be tracked (too many ranges)
  };
  // Stores `data` whose first byte is `offset` bytes past RCV.NXT (0: in order). Bytes past
  // window() are cut off; bytes already held are overwritten with the same data.
  WriteResult Write(size_t offset, absl::Span<const uint8_t> data);

  // Moves up to out.size() in-order bytes to `out`; returns how many.
  size_t Read(absl::Span<uint8_t> out);
  // The in-order bytes without consuming them.
  RingSlices Peek() const;
  // Drops n in-order bytes (n <= readable()).
  void Discard(size_t n);

  // Out-of-order data held past RCV.NXT, as offsets from RCV.NXT, ascending.
  absl::Span<const ByteRange> out_of_order() const { return assembler_.ranges(); }
  bool has_out_of_order() const { return !assembler_.empty(); }

  // Frees the storage if nothing is held.
  void ReleaseIfEmpty();

 private:
  // Copies `data` into the ring at `offset` bytes past RCV.NXT (storage must exist and the
  // bytes must fit in the window).
  void CopyIn(size_t offset, absl::Span<const uint8_t> data);

  size_t capacity_;
  std::unique_ptr<uint8_t[]> storage_;
  size_t head_ = 0;      // ring index of the first in-order byte
  size_t readable_ = 0;  // in-order bytes
  Assembler assembler_;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_RECV_BUFFER_H_
