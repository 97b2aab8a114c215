// A reproducible pseudo-random byte stream for bulk transfers. The sender draws its bytes
// from it; the receiver draws the same stream to find the first byte that arrived wrong, which
// says far more than a hash mismatch alone.
#ifndef TCPAAS_TESTS_SUPPORT_PATTERN_STREAM_H_
#define TCPAAS_TESTS_SUPPORT_PATTERN_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"

namespace tcpaas::test {

class PatternStream {
 public:
  explicit PatternStream(uint64_t seed) : seed_(seed) {}

  // Writes the next out.size() bytes of the stream.
  void Fill(absl::Span<uint8_t> out);
  // Consumes in.size() bytes of the stream and compares them with `in`. Returns the stream
  // offset of the first byte that differs, if any.
  std::optional<uint64_t> Check(absl::Span<const uint8_t> in);

  // Bytes consumed so far.
  uint64_t position() const { return position_; }

 private:
  uint8_t NextByte();

  uint64_t seed_;
  uint64_t position_ = 0;
  uint64_t word_ = 0;  // the 8 bytes of stream at position_ & ~7
};

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_PATTERN_STREAM_H_
