#include "server/service/connection_id.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace tcpaas::server {
namespace {

TEST(ConnectionIdTest, HasThirtyTwoLowercaseHexDigits) {
  const std::string id = NewConnectionId();
  EXPECT_EQ(id.size(), 32u);
  EXPECT_TRUE(LooksLikeConnectionId(id)) << id;
}

TEST(ConnectionIdTest, ThousandIdsAreDistinctAndUseEveryBitPosition) {
  std::set<std::string> ids;
  std::array<int, kConnectionIdLength> nonzero{};
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewConnectionId();
    ids.insert(id);
    for (size_t d = 0; d < id.size(); ++d) nonzero[d] += id[d] != '0';
  }
  EXPECT_EQ(ids.size(), 1000u);
  // A digit stuck at zero would mean fewer than 128 random bits.
  for (size_t d = 0; d < nonzero.size(); ++d) EXPECT_GT(nonzero[d], 800) << "digit " << d;
}

TEST(ConnectionIdTest, FormatsBytesInOrder) {
  std::array<uint8_t, 16> bits{};
  for (size_t i = 0; i < bits.size(); ++i) bits[i] = static_cast<uint8_t>(i * 17);
  EXPECT_EQ(FormatConnectionId(bits), "00112233445566778899aabbccddeeff");
}

TEST(ConnectionIdTest, RecognisesTheForm) {
  EXPECT_TRUE(LooksLikeConnectionId("00112233445566778899aabbccddeeff"));
  EXPECT_FALSE(LooksLikeConnectionId(""));
  EXPECT_FALSE(LooksLikeConnectionId("00112233445566778899aabbccddeef"));   // 31 digits
  EXPECT_FALSE(LooksLikeConnectionId("00112233445566778899AABBCCDDEEFF"));  // uppercase
  EXPECT_FALSE(LooksLikeConnectionId("00112233445566778899aabbccddeefg"));  // not hex
}

}  // namespace
}  // namespace tcpaas::server
