#include "stack/ip/icmp_error.h"

#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/ipv4.h"

namespace tcpaas::ip {
namespace {

std::vector<uint8_t> Datagram(size_t header_size, size_t payload_size, uint16_t frag_word = 0) {
  wire::Ipv4Header h;
  h.total_length = static_cast<uint16_t>(header_size + payload_size);
  h.protocol = kProtoTcp;
  h.src = Ipv4Address::FromOctets(198, 18, 0, 2);
  h.dst = Ipv4Address::FromOctets(198, 19, 0, 9);
  std::vector<uint8_t> b(header_size + payload_size);
  h.WriteTo(b.data());
  b[0] = static_cast<uint8_t>(0x40 | (header_size / 4));
  b[6] = static_cast<uint8_t>(frag_word >> 8);
  b[7] = static_cast<uint8_t>(frag_word);
  for (size_t i = header_size; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i);
  return b;
}

std::vector<uint8_t> First(const std::vector<uint8_t>& b, size_t n) {
  return std::vector<uint8_t>(b.begin(), b.begin() + n);
}

TEST(ParseQuotedDatagramTest, ReadsTheHeaderAndTransportStart) {
  const std::vector<uint8_t> d = Datagram(24, 40);
  const std::vector<uint8_t> quote = First(d, 32);
  std::optional<QuotedDatagram> q = ParseQuotedDatagram(quote);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->src, Ipv4Address::FromOctets(198, 18, 0, 2));
  EXPECT_EQ(q->dst, Ipv4Address::FromOctets(198, 19, 0, 9));
  EXPECT_EQ(q->protocol, kProtoTcp);
  EXPECT_EQ(q->total_length, 64);
  EXPECT_EQ(std::vector<uint8_t>(q->transport.begin(), q->transport.end()),
            std::vector<uint8_t>(d.begin() + 24, d.begin() + 32));
}

TEST(ParseQuotedDatagramTest, PaddingPastTheDatagramIsNotTransport) {
  std::vector<uint8_t> d = Datagram(20, 10);
  d.resize(40, 0xee);
  std::optional<QuotedDatagram> q = ParseQuotedDatagram(d);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->transport.size(), 10u);
}

TEST(ParseQuotedDatagramTest, RejectsWhatCannotIdentifyAFlow) {
  struct Case {
    const char* name;
    std::vector<uint8_t> quote;
  };
  std::vector<uint8_t> v6 = Datagram(20, 8);
  v6[0] = 0x65;
  std::vector<uint8_t> ihl4 = Datagram(20, 8);
  ihl4[0] = 0x44;
  const std::vector<Case> cases = {
      {"empty", {}},
      {"7 transport bytes", First(Datagram(20, 40), 27)},
      {"options eat the transport bytes", First(Datagram(28, 40), 32)},
      {"original shorter than 8 transport bytes", Datagram(20, 4)},
      {"later fragment", Datagram(20, 8, 0x2001)},
      {"version 6", v6},
      {"IHL 4", ihl4},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseQuotedDatagram(c.quote), std::nullopt) << c.name;
  }
}

TEST(IcmpErrorTest, ErrorTypes) {
  for (int type = 0; type < 256; ++type) {
    const bool error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    EXPECT_EQ(IsIcmpErrorType(static_cast<uint8_t>(type)), error) << type;
  }
  EXPECT_EQ(ClassifyIcmpError(3, 4), IcmpErrorKind::kFragmentationNeeded);
  EXPECT_EQ(ClassifyIcmpError(3, 6), IcmpErrorKind::kNetUnreachable);
  EXPECT_EQ(ClassifyIcmpError(3, 9), IcmpErrorKind::kAdminProhibited);
  EXPECT_EQ(ClassifyIcmpError(11, 1), IcmpErrorKind::kTimeExceeded);
  EXPECT_EQ(ClassifyIcmpError(5, 0), IcmpErrorKind::kOther);
}

}  // namespace
}  // namespace tcpaas::ip
