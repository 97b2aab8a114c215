// The character generator stream of RFC 864: lines of 72 printable ASCII characters ending in
// CR LF. The 95 printable characters (' ' .. '~') form a ring; line n holds characters n .. n+71
// of the ring (mod 95), so line 0 starts with the space (as BSD inetd's chargen) and line 1 is
//   !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefgh<CR><LF>
// The stream repeats after 95 lines. The sandbox serves it on port 19 and as the body of
// HTTP /bytes/N (the first N bytes of the stream), so clients can check what they received.
#ifndef TCPAAS_SERVER_SANDBOX_CHARGEN_PATTERN_H_
#define TCPAAS_SERVER_SANDBOX_CHARGEN_PATTERN_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace tcpaas::server {

inline constexpr size_t kChargenLineChars = 72;
inline constexpr size_t kChargenLineBytes = kChargenLineChars + 2;  // CR LF
inline constexpr size_t kChargenPrintable = 95;                     // ' ' .. '~'
inline constexpr size_t kChargenPeriod = kChargenPrintable * kChargenLineBytes;

// The byte at `offset` of the stream.
uint8_t ChargenByte(uint64_t offset);

// Produces the stream piece by piece.
class ChargenPattern {
 public:
  explicit ChargenPattern(uint64_t offset = 0) : offset_(offset) {}
  // Fills `out` with the next out.size() bytes.
  void Fill(absl::Span<uint8_t> out);
  uint64_t offset() const { return offset_; }

 private:
  uint64_t offset_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SANDBOX_CHARGEN_PATTERN_H_
