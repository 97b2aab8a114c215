#include "stack/wire/icmp.h"

#include <cstring>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/checksum.h"
#include "stack/wire/hex_for_tests.h"

namespace tcpaas::wire {
namespace {

TEST(IcmpTest, EchoRequestKnownBytes) {
  // Echo request id 0x1234 seq 1, body "abcd". By hand:
  // 0800 + 0000 + 1234 + 0001 + 6162 + 6364 = defb, whose complement is 2104.
  const std::vector<uint8_t> body = HexBytes("61 62 63 64");
  uint8_t out[kIcmpHeaderSize + 4];
  ASSERT_EQ(WriteIcmp(out, kIcmpEchoRequest, 0, 0x12340001u, body), sizeof out);
  EXPECT_EQ(ToHex(out), "08 00 21 04 12 34 00 01 61 62 63 64");
}

TEST(IcmpTest, RoundTripTable) {
  struct Case {
    uint8_t type, code;
    uint32_t rest;
    size_t body;
  };
  const Case cases[] = {
      {kIcmpEchoRequest, 0, 0xabcd0007u, 56},
      {kIcmpEchoReply, 0, 0x00010002u, 0},
      {kIcmpEchoRequest, 0, 0xffffffffu, 1},  // odd body length
      {kIcmpDestUnreachable, kIcmpCodeFragmentationNeeded, 1400, 28},
      {kIcmpDestUnreachable, kIcmpCodePortUnreachable, 0, 48},
      {kIcmpTimeExceeded, 0, 0, 28},
      {kIcmpParameterProblem, 0, 0x14000000u, 28},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> body(c.body);
    for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<uint8_t>(i * 31 + 7);
    std::vector<uint8_t> b(kIcmpHeaderSize + c.body);
    ASSERT_EQ(WriteIcmp(b.data(), c.type, c.code, c.rest, body), b.size());
    std::optional<IcmpView> v = IcmpView::Parse(b);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->type(), c.type);
    EXPECT_EQ(v->code(), c.code);
    EXPECT_TRUE(v->checksum_ok());
    EXPECT_EQ(v->echo_id(), c.rest >> 16);
    EXPECT_EQ(v->echo_seq(), c.rest & 0xffff);
    EXPECT_EQ(v->next_hop_mtu(), c.rest & 0xffff);
    EXPECT_EQ(std::vector<uint8_t>(v->body().begin(), v->body().end()), body);
    EXPECT_EQ(v->bytes().size(), b.size());
  }
}

TEST(IcmpTest, ReplyBuiltInPlaceOverTheRequest) {
  // The IP layer may answer an echo in the request's own buffer: body already in place.
  std::vector<uint8_t> b(kIcmpHeaderSize + 5);
  const std::vector<uint8_t> body = HexBytes("01 02 03 04 05");
  WriteIcmp(b.data(), kIcmpEchoRequest, 0, 0x00420001u, body);
  const std::vector<uint8_t> in_place(b.begin() + kIcmpHeaderSize, b.end());
  WriteIcmp(b.data(), kIcmpEchoReply, 0, 0x00420001u,
            absl::MakeConstSpan(b.data() + kIcmpHeaderSize, 5));
  std::optional<IcmpView> v = IcmpView::Parse(b);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->type(), kIcmpEchoReply);
  EXPECT_TRUE(v->checksum_ok());
  EXPECT_EQ(ToHex(v->body()), ToHex(in_place));
}

TEST(IcmpTest, QuotedBodyMayOverlapTheHeader) {
  // An error message that quotes bytes sitting where its own header goes.
  std::vector<uint8_t> b = HexBytes("aa bb cc dd ee ff 11 22 33 44 00 00 00 00");
  WriteIcmp(b.data(), kIcmpDestUnreachable, kIcmpCodeHostUnreachable, 0,
            absl::MakeConstSpan(b.data() + 2, 6));
  std::optional<IcmpView> v = IcmpView::Parse(absl::MakeConstSpan(b.data(), 14));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(ToHex(v->body()), "cc dd ee ff 11 22");
  EXPECT_TRUE(v->checksum_ok());
}

TEST(IcmpTest, ChecksumDetectsCorruption) {
  std::vector<uint8_t> b(kIcmpHeaderSize + 3);
  WriteIcmp(b.data(), kIcmpEchoRequest, 0, 0x00010001u, HexBytes("ab cd ef"));
  for (size_t bit = 0; bit < b.size() * 8; ++bit) {
    std::vector<uint8_t> c = b;
    c[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(IcmpView::Parse(c)->checksum_ok()) << bit;
  }
}

TEST(IcmpTest, EveryTruncationIsRejected) {
  std::vector<uint8_t> b(kIcmpHeaderSize);
  WriteIcmp(b.data(), kIcmpEchoRequest, 0, 0, {});
  ASSERT_TRUE(IcmpView::Parse(b).has_value());
  EXPECT_TRUE(IcmpView::Parse(b)->body().empty());
  for (size_t n = 0; n < kIcmpHeaderSize; ++n) {
    EXPECT_FALSE(IcmpView::Parse(absl::MakeConstSpan(b.data(), n)).has_value()) << n;
  }
}

}  // namespace
}  // namespace tcpaas::wire
