// Bookkeeping for out-of-order data (the smoltcp idea): which byte ranges past the in-order
// end of the receive buffer are already filled. Offsets are relative to the in-order end
// (offset 0 is RCV.NXT). The number of ranges is bounded, so a hostile peer sending many
// tiny disjoint segments cannot grow it; a segment that would need one range too many is not
// stored (the peer retransmits it).
#ifndef TCPAAS_STACK_TCP_ASSEMBLER_H_
#define TCPAAS_STACK_TCP_ASSEMBLER_H_

#include <array>
#include <cstddef>
#include <ostream>

#include "absl/types/span.h"

namespace tcpaas::tcp {

struct ByteRange {
  size_t start = 0;  // offset of the first byte
  size_t end = 0;    // offset just past the last byte
  size_t size() const { return end - start; }
  bool operator==(const ByteRange&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const ByteRange& r) {
    return os << "[" << r.start << ", " << r.end << ")";
  }
};

class Assembler {
 public:
  // Each range costs 16 bytes of the control block; every operation is a scan of at most
  // this many entries.
  static constexpr size_t kMaxRanges = 64;

  // Marks [offset, offset + len) as filled, merging with overlapping or adjacent ranges.
  // Returns false, changing nothing, if that would need more than kMaxRanges ranges.
  bool Add(size_t offset, size_t len);
  // The in-order end moved forward by n bytes (data arrived in order, or a range starting at
  // 0 was consumed): every offset drops by n; ranges, or parts of ranges, below 0 vanish.
  void Advance(size_t n);
  // The length of the range starting at offset 0, or 0 if offset 0 is not filled.
  size_t ContiguousFront() const;
  // Filled ranges in ascending order, disjoint and non-adjacent.
  absl::Span<const ByteRange> ranges() const { return {ranges_.data(), count_}; }
  bool empty() const { return count_ == 0; }
  void Clear() { count_ = 0; }

 private:
  std::array<ByteRange, kMaxRanges> ranges_{};
  size_t count_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_ASSEMBLER_H_
