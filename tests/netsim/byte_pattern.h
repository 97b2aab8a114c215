// The bytes one bulk flow carries: byte i of the stream is a pseudo-random function of the
// flow's key and i, so the sender makes them and the receiver checks every byte at its offset
// without either storing the stream, and no stretch of it repeats (a segment delivered at
// the wrong offset cannot match by accident).
#ifndef TCPAAS_TESTS_NETSIM_BYTE_PATTERN_H_
#define TCPAAS_TESTS_NETSIM_BYTE_PATTERN_H_

#include <cstdint>
#include <optional>

#include "absl/types/span.h"

namespace tcpaas::netsim {

class BytePattern {
 public:
  explicit BytePattern(uint64_t key) : key_(key) {}

  // Writes the stream's bytes [offset, offset + out.size()) into `out`.
  void Fill(uint64_t offset, absl::Span<uint8_t> out) const;
  // The stream offset of the first byte of `data` (read at stream offset `offset`) that
  // differs from the pattern, or nullopt when all match.
  std::optional<uint64_t> FirstMismatch(uint64_t offset, absl::Span<const uint8_t> data) const;

 private:
  uint64_t Word(uint64_t index) const;

  uint64_t key_;
};

}  // namespace tcpaas::netsim

#endif  // TCPAAS_TESTS_NETSIM_BYTE_PATTERN_H_
