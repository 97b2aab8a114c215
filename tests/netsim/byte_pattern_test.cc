#include "tests/netsim/byte_pattern.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::netsim {
namespace {

std::vector<uint8_t> Bytes(const BytePattern& p, uint64_t offset, size_t n) {
  std::vector<uint8_t> out(n);
  p.Fill(offset, absl::MakeSpan(out));
  return out;
}

TEST(BytePattern, PiecesAtAnyOffsetMatchTheWholeStream) {
  const BytePattern p(42);
  const std::vector<uint8_t> whole = Bytes(p, 0, 10'000);
  for (uint64_t offset : {0, 1, 7, 8, 9, 1000, 4095, 4096, 9999}) {
    for (size_t n : {1, 3, 8, 17, 5000}) {
      if (offset + n > whole.size()) continue;
      const std::vector<uint8_t> piece = Bytes(p, offset, n);
      EXPECT_TRUE(std::equal(piece.begin(), piece.end(), whole.begin() + offset))
          << "offset " << offset << " n " << n;
      EXPECT_FALSE(p.FirstMismatch(offset, piece).has_value());
    }
  }
}

TEST(BytePattern, FindsTheFirstWrongByte) {
  const BytePattern p(7);
  std::vector<uint8_t> data = Bytes(p, 123, 9000);
  data[5000] ^= 0x10;
  data[6000] ^= 0x01;
  EXPECT_EQ(p.FirstMismatch(123, data), 123u + 5000u);
}

TEST(BytePattern, DataAtTheWrongOffsetOrOfAnotherFlowDoesNotMatch) {
  const BytePattern p(7);
  const std::vector<uint8_t> data = Bytes(p, 1448, 1448);
  EXPECT_TRUE(p.FirstMismatch(0, data).has_value());
  EXPECT_TRUE(p.FirstMismatch(2896, data).has_value());
  EXPECT_TRUE(BytePattern(8).FirstMismatch(1448, data).has_value());
}

}  // namespace
}  // namespace tcpaas::netsim
