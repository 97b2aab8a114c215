#include "tests/support/pattern_stream.h"

namespace tcpaas::test {
namespace {

// SplitMix64's output function: a bijective mix, so every (seed, index) gives its own word.
uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

uint8_t PatternStream::NextByte() {
  if (position_ % 8 == 0) word_ = Mix(seed_ + (position_ / 8 + 1) * 0x9e3779b97f4a7c15ULL);
  uint8_t b = static_cast<uint8_t>(word_ >> (8 * (position_ % 8)));
  ++position_;
  return b;
}

void PatternStream::Fill(absl::Span<uint8_t> out) {
  for (uint8_t& b : out) b = NextByte();
}

std::optional<uint64_t> PatternStream::Check(absl::Span<const uint8_t> in) {
  std::optional<uint64_t> first_bad;
  for (uint8_t b : in) {
    uint64_t at = position_;
    if (NextByte() != b && !first_bad) first_bad = at;
  }
  return first_bad;
}

}  // namespace tcpaas::test
