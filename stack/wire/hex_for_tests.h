// Test-only helpers: byte strings written as hex, the way packet captures print them.
// Included only by stack/wire/*_test.cc.
#ifndef TCPAAS_STACK_WIRE_HEX_FOR_TESTS_H_
#define TCPAAS_STACK_WIRE_HEX_FOR_TESTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"

namespace tcpaas::wire {

// "45 00 00 3c" or "4500003c" -> {0x45, 0x00, 0x00, 0x3c}; spaces and newlines are ignored.
inline std::vector<uint8_t> HexBytes(std::string_view s) {
  std::vector<uint8_t> out;
  int pending = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else if (c == ' ' || c == '\n') {
      continue;
    } else {
      ADD_FAILURE() << "bad hex character '" << c << "' in \"" << s << "\"";
      return out;
    }
    if (pending < 0) {
      pending = v;
    } else {
      out.push_back(static_cast<uint8_t>((pending << 4) | v));
      pending = -1;
    }
  }
  if (pending >= 0) ADD_FAILURE() << "odd number of hex digits in \"" << s << "\"";
  return out;
}

// {0x45, 0x00} -> "45 00", for readable failure messages.
inline std::string ToHex(absl::Span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) s.push_back(' ');
    s.push_back(kDigits[bytes[i] >> 4]);
    s.push_back(kDigits[bytes[i] & 0xf]);
  }
  return s;
}

}  // namespace tcpaas::wire

#endif  // TCPAAS_STACK_WIRE_HEX_FOR_TESTS_H_
