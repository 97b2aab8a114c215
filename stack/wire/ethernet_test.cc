#include "stack/wire/ethernet.h"

#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/hex_for_tests.h"

namespace tcpaas::wire {
namespace {

TEST(EthernetTest, RoundTripTable) {
  struct Case {
    MacAddress dst, src;
    uint16_t ethertype;
    size_t payload;
  };
  const Case cases[] = {
      {MacAddress::Broadcast(), MacAddress({0x02, 0, 0, 0, 0, 2}), kEtherTypeArp, 28},
      {MacAddress({0x02, 0, 0, 0, 0, 1}), MacAddress({0x02, 0, 0, 0, 0, 2}), kEtherTypeIpv4, 0},
      {MacAddress({0x33, 0x33, 0, 0, 0, 1}), MacAddress({0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54}),
       kEtherTypeIpv6, 1500},
      {MacAddress(), MacAddress(), 0xffff, 1},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> frame(kEthernetHeaderSize + c.payload, 0xab);
    WriteEthernetHeader(frame.data(), c.dst, c.src, c.ethertype);
    std::optional<EthernetView> v = EthernetView::Parse(frame);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->dst(), c.dst);
    EXPECT_EQ(v->src(), c.src);
    EXPECT_EQ(v->ethertype(), c.ethertype);
    EXPECT_EQ(v->payload().size(), c.payload);
    EXPECT_EQ(v->payload().data(), frame.data() + kEthernetHeaderSize);
  }
}

TEST(EthernetTest, ByteLayout) {
  uint8_t b[kEthernetHeaderSize];
  WriteEthernetHeader(b, MacAddress({1, 2, 3, 4, 5, 6}), MacAddress({7, 8, 9, 10, 11, 12}),
                      kEtherTypeIpv4);
  EXPECT_EQ(ToHex(b), "01 02 03 04 05 06 07 08 09 0a 0b 0c 08 00");
}

TEST(EthernetTest, EveryTruncationIsRejected) {
  const std::vector<uint8_t> frame = HexBytes("ffffffffffff 020000000002 0806");
  ASSERT_TRUE(EthernetView::Parse(frame).has_value());
  for (size_t n = 0; n < kEthernetHeaderSize; ++n) {
    EXPECT_FALSE(EthernetView::Parse(absl::MakeConstSpan(frame.data(), n)).has_value()) << n;
  }
}

}  // namespace
}  // namespace tcpaas::wire
