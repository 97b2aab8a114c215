#include "tests/netsim/byte_pattern.h"

#include <algorithm>
#include <cstring>

namespace tcpaas::netsim {

uint64_t BytePattern::Word(uint64_t index) const {
  // The splitmix64 finalizer over (key, index): a bijection of the index per key.
  uint64_t z = key_ + (index + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void BytePattern::Fill(uint64_t offset, absl::Span<uint8_t> out) const {
  size_t i = 0;
  while (i < out.size()) {
    const uint64_t pos = offset + i;
    const uint64_t word = Word(pos / 8);
    uint8_t bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = static_cast<uint8_t>(word >> (8 * b));
    const size_t skip = pos % 8;
    const size_t n = std::min<size_t>(8 - skip, out.size() - i);
    std::memcpy(out.data() + i, bytes + skip, n);
    i += n;
  }
}

std::optional<uint64_t> BytePattern::FirstMismatch(uint64_t offset,
                                                   absl::Span<const uint8_t> data) const {
  uint8_t expected[4096];
  for (size_t i = 0; i < data.size(); i += sizeof(expected)) {
    const size_t n = std::min(sizeof(expected), data.size() - i);
    Fill(offset + i, absl::MakeSpan(expected, n));
    if (std::memcmp(expected, data.data() + i, n) == 0) continue;
    for (size_t j = 0; j < n; ++j) {
      if (expected[j] != data[i + j]) return offset + i + j;
    }
  }
  return std::nullopt;
}

}  // namespace tcpaas::netsim
