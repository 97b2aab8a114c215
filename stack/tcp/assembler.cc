#include "stack/tcp/assembler.h"

#include <algorithm>
#include <limits>

namespace tcpaas::tcp {

bool Assembler::Add(size_t offset, size_t len) {
  if (len == 0) return true;
  if (offset > std::numeric_limits<size_t>::max() - len) return false;
  const size_t end = offset + len;
  // Ranges [first, last) touch the new one: they overlap it or are adjacent to it.
  size_t first = 0;
  while (first < count_ && ranges_[first].end < offset) ++first;
  size_t last = first;
  while (last < count_ && ranges_[last].start <= end) ++last;

  if (first == last) {  // touches nothing: needs a range of its own
    if (count_ == kMaxRanges) return false;
    std::move_backward(ranges_.begin() + first, ranges_.begin() + count_,
                       ranges_.begin() + count_ + 1);
    ranges_[first] = {.start = offset, .end = end};
    ++count_;
    return true;
  }
  // Merge ranges [first, last) and the new one into ranges_[first].
  ranges_[first] = {.start = std::min(ranges_[first].start, offset),
                    .end = std::max(ranges_[last - 1].end, end)};
  std::move(ranges_.begin() + last, ranges_.begin() + count_, ranges_.begin() + first + 1);
  count_ -= last - first - 1;
  return true;
}

void Assembler::Advance(size_t n) {
  if (n == 0) return;
  size_t kept = 0;
  for (size_t i = 0; i < count_; ++i) {
    const ByteRange& r = ranges_[i];
    if (r.end <= n) continue;  // entirely below the new in-order end
    ranges_[kept++] = {.start = r.start > n ? r.start - n : 0, .end = r.end - n};
  }
  count_ = kept;
}

size_t Assembler::ContiguousFront() const {
  return count_ > 0 && ranges_[0].start == 0 ? ranges_[0].end : 0;
}

}  // namespace tcpaas::tcp
