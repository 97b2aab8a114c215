#include "server/sandbox/chargen_pattern.h"

namespace tcpaas::server {

uint8_t ChargenByte(uint64_t offset) {
  // RFC 864: line n starts with printable character n (mod 95).
  const uint64_t line = (offset / kChargenLineBytes) % kChargenPrintable;
  const uint64_t column = offset % kChargenLineBytes;
  if (column == kChargenLineChars) return '\r';
  if (column == kChargenLineChars + 1) return '\n';
  return static_cast<uint8_t>(' ' + (line + column) % kChargenPrintable);
}

void ChargenPattern::Fill(absl::Span<uint8_t> out) {
  // Period-long stretches are identical; a byte at a time keeps this obviously right and is
  // far faster than the network it feeds.
  for (uint8_t& b : out) b = ChargenByte(offset_++);
}

}  // namespace tcpaas::server
