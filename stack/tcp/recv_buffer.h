// The receive side's bytes, in a ring of fixed capacity. In-order bytes wait at the front for
// the user; out-of-order bytes are written straight into their place further along (that
// region is exactly the receive window we advertised) and an Assembler remembers which parts
// are filled. Nothing is ever held beyond the capacity, so a peer cannot grow our memory, and
// the advertised window is the free space: a slow reader closes it.
#ifndef TCPAAS_STACK_TCP_RECV_BUFFER_H_
#define TCPAAS_STACK_TCP_RECV_BUFFER_H_

#include <algorithm>
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
  size_t window() const { return capacity_ > readable_ ? capacity_ - readable_ : 0; }
  // Whether ring storage is currently allocated (it is not until data first arrives).
  bool allocated() const { return storage_ != nullptr; }

  struct WriteResult {
    size_t advanced = 0;  // how far RCV.NXT moves (new in-order bytes, gap fills included)
    bool stored = true;   // false if out-of-order data could not be tracked (too many ranges)
    size_t taken = 0;     // bytes of `data` stored (the rest lay past the room)
  };
  // Stores `data` whose first byte is `offset` bytes past RCV.NXT (0: in order). Bytes past
  // window() (or past a promise SetCapacity() keeps) are cut off; bytes already held are
  // overwritten with the same data.
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
  // Changes the capacity: the window offered from now on is capacity - readable. A shrink
  // never drops data: the storage keeps room for what is held and for `promised` bytes
  // from the first readable byte on (what the caller advertised), until LowerReserve()
  // says the promise has shrunk. Existing storage is resized at once (a copy).
  void SetCapacity(size_t capacity, size_t promised);
  // The caller's advertised right edge is now `promised` bytes past the first readable
  // byte: storage allocated from now on needs no more than that (and the capacity).
  void LowerReserve(size_t promised) {
    if (promised < reserve_) reserve_ = std::max(promised, readable_ + out_of_order_end());
  }
  // Offset past RCV.NXT just beyond the last out-of-order byte held (0 if none).
  size_t out_of_order_end() const {
    return assembler_.empty() ? 0 : assembler_.ranges().back().end;
  }

 private:
  // Copies `data` into the ring at `offset` bytes past RCV.NXT (storage must exist and the
  // bytes must fit in the window).
  void CopyIn(size_t offset, absl::Span<const uint8_t> data);

  // What storage must hold: the capacity, or more while a shrink waits for the peer to use
  // up a window promised before it.
  size_t limit() const { return std::max(capacity_, reserve_); }
  // Moves what is held into fresh storage of `ring_size` bytes, starting at index 0.
  void Reallocate(size_t ring_size);

  size_t capacity_;
  size_t reserve_ = 0;
  std::unique_ptr<uint8_t[]> storage_;
  size_t ring_size_ = 0;  // bytes of storage_ (>= limit() when it was allocated)
  size_t head_ = 0;       // ring index of the first in-order byte
  size_t readable_ = 0;   // in-order bytes
  Assembler assembler_;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_RECV_BUFFER_H_
