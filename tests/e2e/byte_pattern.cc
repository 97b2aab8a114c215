#include "tests/e2e/byte_pattern.h"

namespace tcpaas::e2e {
namespace {

// splitmix64: a well-mixed 64-bit value per 8-byte block of the stream.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string PatternBytes(uint64_t seed, uint64_t offset, size_t length) {
  std::string out(length, '\0');
  const uint64_t key = Mix(seed);
  size_t i = 0;
  while (i < length) {
    const uint64_t at = offset + i;
    const uint64_t block = Mix(key ^ (at >> 3));
    for (uint64_t byte = at & 7; byte < 8 && i < length; ++byte, ++i) {
      out[i] = static_cast<char>(block >> (8 * byte));
    }
  }
  return out;
}

}  // namespace tcpaas::e2e
