#include "stack/wire/arp.h"

#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/hex_for_tests.h"

namespace tcpaas::wire {
namespace {

// An ARP request as Linux sends it: who has 198.18.0.2? tell 198.18.0.1.
constexpr char kRequest[] =
    "0001 0800 06 04 0001 "
    "aabbccddeeff c6120001 "
    "000000000000 c6120002";

TEST(ArpTest, ParsesARealRequest) {
  const std::vector<uint8_t> b = HexBytes(kRequest);
  ASSERT_EQ(b.size(), kArpPacketSize);
  std::optional<ArpPacket> a = ArpPacket::Parse(b);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->op, kArpOpRequest);
  EXPECT_EQ(a->sender_mac, MacAddress({0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
  EXPECT_EQ(a->sender_ip, Ipv4Address::FromOctets(198, 18, 0, 1));
  EXPECT_TRUE(a->target_mac.is_zero());
  EXPECT_EQ(a->target_ip, Ipv4Address::FromOctets(198, 18, 0, 2));
  uint8_t out[kArpPacketSize];
  a->WriteTo(out);
  EXPECT_EQ(ToHex(out), ToHex(b));
}

TEST(ArpTest, RoundTripTable) {
  const ArpPacket cases[] = {
      {kArpOpRequest, MacAddress({2, 0, 0, 0, 0, 1}), Ipv4Address::FromOctets(198, 18, 0, 2),
       MacAddress(), Ipv4Address::FromOctets(198, 18, 0, 1)},
      {kArpOpReply, MacAddress({2, 0, 0, 0, 0, 1}), Ipv4Address::FromOctets(198, 18, 0, 2),
       MacAddress({2, 0, 0, 0, 0, 9}), Ipv4Address::FromOctets(198, 18, 0, 1)},
      // Unknown ops come back as they are; the IP layer ignores them.
      {0xbeef, MacAddress::Broadcast(), Ipv4Address::Broadcast(), MacAddress::Broadcast(),
       Ipv4Address()},
  };
  for (const ArpPacket& c : cases) {
    std::vector<uint8_t> b(kArpPacketSize + 18, 0);  // Ethernet pads ARP to 46 bytes
    c.WriteTo(b.data());
    std::optional<ArpPacket> p = ArpPacket::Parse(b);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->op, c.op);
    EXPECT_EQ(p->sender_mac, c.sender_mac);
    EXPECT_EQ(p->sender_ip, c.sender_ip);
    EXPECT_EQ(p->target_mac, c.target_mac);
    EXPECT_EQ(p->target_ip, c.target_ip);
  }
}

TEST(ArpTest, EveryTruncationIsRejected) {
  const std::vector<uint8_t> b = HexBytes(kRequest);
  for (size_t n = 0; n < kArpPacketSize; ++n) {
    EXPECT_FALSE(ArpPacket::Parse(absl::MakeConstSpan(b.data(), n)).has_value()) << n;
  }
}

TEST(ArpTest, WrongTypesAndLengthsAreRejected) {
  struct Case {
    size_t offset;
    std::vector<uint8_t> bytes;
    const char* what;
  };
  const Case cases[] = {
      {0, {0x00, 0x06}, "hardware type IEEE 802 (6)"},
      {0, {0x00, 0x00}, "hardware type 0"},
      {0, {0x01, 0x01}, "hardware type 257"},
      {2, {0x86, 0xdd}, "protocol IPv6"},
      {2, {0x08, 0x06}, "protocol ARP"},
      {4, {0x08}, "hardware length 8"},
      {4, {0x00}, "hardware length 0"},
      {5, {0x10}, "protocol length 16"},
      {5, {0x00}, "protocol length 0"},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> b = HexBytes(kRequest);
    std::copy(c.bytes.begin(), c.bytes.end(), b.begin() + c.offset);
    EXPECT_FALSE(ArpPacket::Parse(b).has_value()) << c.what;
  }
}

}  // namespace
}  // namespace tcpaas::wire
