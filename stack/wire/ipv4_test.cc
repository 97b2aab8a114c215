#include "stack/wire/ipv4.h"

#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/checksum.h"
#include "stack/wire/endian.h"
#include "stack/wire/hex_for_tests.h"

namespace tcpaas::wire {
namespace {

// A SYN the Linux kernel sent (IPv4 header and 40-byte TCP header), captured with tcpdump.
constexpr char kCapturedSyn[] =
    "4500 003c 33b4 4000 4006 7ae0 c612 0002 c612 0001 "
    "9c40 1f90 5de4 fd02 0000 0000 a002 ffd7 85f0 0000 "
    "0204 ffd7 0402 080a d542 4fee 0000 0000 0103 030a";

TEST(Ipv4ViewTest, ParsesACapturedDatagram) {
  const std::vector<uint8_t> b = HexBytes(kCapturedSyn);
  std::optional<Ipv4View> v = Ipv4View::Parse(b);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->header_length(), 20u);
  EXPECT_EQ(v->total_length(), 60u);
  EXPECT_EQ(v->tos(), 0);
  EXPECT_EQ(v->id(), 0x33b4);
  EXPECT_TRUE(v->dont_fragment());
  EXPECT_FALSE(v->more_fragments());
  EXPECT_EQ(v->fragment_offset(), 0u);
  EXPECT_FALSE(v->is_fragment());
  EXPECT_EQ(v->ttl(), 64);
  EXPECT_EQ(v->protocol(), 6);
  EXPECT_EQ(v->src(), Ipv4Address::FromOctets(198, 18, 0, 2));
  EXPECT_EQ(v->dst(), Ipv4Address::FromOctets(198, 18, 0, 1));
  EXPECT_TRUE(v->checksum_ok());
  EXPECT_EQ(v->payload().size(), 40u);
  EXPECT_EQ(v->payload().data(), b.data() + 20);
}

TEST(Ipv4ViewTest, BuildsTheCapturedHeaderByteForByte) {
  Ipv4Header h;
  h.total_length = 60;
  h.id = 0x33b4;
  h.protocol = 6;
  h.src = Ipv4Address::FromOctets(198, 18, 0, 2);
  h.dst = Ipv4Address::FromOctets(198, 18, 0, 1);
  uint8_t out[kIpv4MinHeaderSize];
  h.WriteTo(out);
  const std::vector<uint8_t> want = HexBytes(kCapturedSyn);
  EXPECT_EQ(ToHex(out), ToHex(absl::MakeConstSpan(want).first(20)));
}

TEST(Ipv4ViewTest, RoundTripTable) {
  auto base = [] {
    Ipv4Header h;
    h.src = Ipv4Address::FromOctets(198, 18, 0, 2);
    h.dst = Ipv4Address::FromOctets(198, 18, 0, 1);
    h.protocol = 6;
    return h;
  };
  std::vector<Ipv4Header> cases;
  cases.push_back(base());
  {
    Ipv4Header h = base();
    h.tos = 0xb8;
    h.ttl = 1;
    h.id = 0xffff;
    h.protocol = 1;
    cases.push_back(h);
  }
  {
    Ipv4Header h = base();  // first fragment
    h.dont_fragment = false;
    h.more_fragments = true;
    cases.push_back(h);
  }
  {
    Ipv4Header h = base();  // a middle fragment
    h.dont_fragment = false;
    h.more_fragments = true;
    h.fragment_offset = 1480;
    cases.push_back(h);
  }
  {
    Ipv4Header h = base();  // the largest offset the 13-bit field holds
    h.dont_fragment = false;
    h.fragment_offset = 0x1fff * 8;
    h.ttl = 255;
    h.src = Ipv4Address::Broadcast();
    h.dst = Ipv4Address();
    cases.push_back(h);
  }
  for (size_t payload : {0, 1, 1480}) {
    for (Ipv4Header h : cases) {
      h.total_length = static_cast<uint16_t>(kIpv4MinHeaderSize + payload);
      std::vector<uint8_t> b(h.total_length, 0x5a);
      h.WriteTo(b.data());
      std::optional<Ipv4View> v = Ipv4View::Parse(b);
      ASSERT_TRUE(v.has_value());
      EXPECT_TRUE(v->checksum_ok());
      EXPECT_EQ(v->header_length(), kIpv4MinHeaderSize);
      EXPECT_EQ(v->total_length(), h.total_length);
      EXPECT_EQ(v->tos(), h.tos);
      EXPECT_EQ(v->id(), h.id);
      EXPECT_EQ(v->dont_fragment(), h.dont_fragment);
      EXPECT_EQ(v->more_fragments(), h.more_fragments);
      EXPECT_EQ(v->fragment_offset(), h.fragment_offset);
      EXPECT_EQ(v->is_fragment(), h.more_fragments || h.fragment_offset != 0);
      EXPECT_EQ(v->ttl(), h.ttl);
      EXPECT_EQ(v->protocol(), h.protocol);
      EXPECT_EQ(v->src(), h.src);
      EXPECT_EQ(v->dst(), h.dst);
      EXPECT_EQ(v->payload().size(), payload);
    }
  }
}

TEST(Ipv4ViewTest, ChecksumDetectsEveryBitFlipInTheHeader) {
  const std::vector<uint8_t> good = HexBytes(kCapturedSyn);
  for (size_t bit = 0; bit < 20 * 8; ++bit) {
    std::vector<uint8_t> b = good;
    b[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    std::optional<Ipv4View> v = Ipv4View::Parse(b);
    if (v) {
      EXPECT_FALSE(v->checksum_ok()) << "bit " << bit;
    }
  }
}

TEST(Ipv4ViewTest, OptionsAreSkipped) {
  // IHL 6..15: header options are covered by header() and the checksum, not by payload().
  for (size_t ihl = 6; ihl <= 15; ++ihl) {
    const size_t hl = ihl * 4;
    std::vector<uint8_t> b(hl + 7, 0x01);  // NOP options, then payload bytes
    Ipv4Header h;
    h.total_length = static_cast<uint16_t>(b.size());
    h.protocol = 6;
    h.WriteTo(b.data());
    b[0] = static_cast<uint8_t>(0x40 | ihl);
    Store16(b.data() + 10, 0);
    Store16(b.data() + 10, InternetChecksum(absl::MakeConstSpan(b.data(), hl)));
    std::optional<Ipv4View> v = Ipv4View::Parse(b);
    ASSERT_TRUE(v.has_value()) << ihl;
    EXPECT_EQ(v->header_length(), hl);
    EXPECT_EQ(v->header().size(), hl);
    EXPECT_TRUE(v->checksum_ok());
    EXPECT_EQ(v->payload().size(), 7u);
    EXPECT_EQ(v->payload().data(), b.data() + hl);
  }
}

TEST(Ipv4ViewTest, TrailingLinkPaddingIsExcluded) {
  std::vector<uint8_t> b = HexBytes(kCapturedSyn);
  b.resize(b.size() + 6, 0);  // e.g. Ethernet minimum-frame padding
  std::optional<Ipv4View> v = Ipv4View::Parse(b);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->total_length(), 60u);
  EXPECT_EQ(v->bytes().size(), 60u);
  EXPECT_EQ(v->payload().size(), 40u);
}

TEST(Ipv4ViewTest, EveryTruncationIsRejected) {
  const std::vector<uint8_t> b = HexBytes(kCapturedSyn);
  for (size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(Ipv4View::Parse(absl::MakeConstSpan(b.data(), n)).has_value()) << n;
  }
}

TEST(Ipv4ViewTest, BadVersionsAreRejected) {
  for (int version = 0; version < 16; ++version) {
    std::vector<uint8_t> b = HexBytes(kCapturedSyn);
    b[0] = static_cast<uint8_t>((version << 4) | 5);
    EXPECT_EQ(Ipv4View::Parse(b).has_value(), version == 4) << version;
  }
}

TEST(Ipv4ViewTest, IhlBelowFiveIsRejected) {
  for (int ihl = 0; ihl < 5; ++ihl) {
    std::vector<uint8_t> b = HexBytes(kCapturedSyn);
    b[0] = static_cast<uint8_t>(0x40 | ihl);
    EXPECT_FALSE(Ipv4View::Parse(b).has_value()) << ihl;
  }
}

TEST(Ipv4ViewTest, IhlPastTheEndIsRejected) {
  // The datagram is 24 bytes long and says so; the header claims more than that.
  for (int ihl = 7; ihl <= 15; ++ihl) {
    std::vector<uint8_t> b = HexBytes(kCapturedSyn);
    b.resize(24);
    b[0] = static_cast<uint8_t>(0x40 | ihl);
    Store16(b.data() + 2, 24);
    EXPECT_FALSE(Ipv4View::Parse(b).has_value()) << ihl;
  }
}

TEST(Ipv4ViewTest, TotalLengthTable) {
  struct Case {
    uint16_t total_length;
    bool ok;
  };
  // The buffer holds 60 bytes with a 20-byte header.
  const Case cases[] = {{0, false}, {1, false}, {19, false}, {20, true},    {21, true},
                        {59, true}, {60, true}, {61, false}, {1500, false}, {0xffff, false}};
  for (const Case& c : cases) {
    std::vector<uint8_t> b = HexBytes(kCapturedSyn);
    Store16(b.data() + 2, c.total_length);
    std::optional<Ipv4View> v = Ipv4View::Parse(b);
    ASSERT_EQ(v.has_value(), c.ok) << c.total_length;
    if (v) {
      EXPECT_EQ(v->total_length(), c.total_length);
      EXPECT_EQ(v->payload().size(), c.total_length - 20u);
    }
  }
  // With options the total length must also cover them.
  std::vector<uint8_t> b = HexBytes(kCapturedSyn);
  b[0] = 0x46;
  Store16(b.data() + 2, 23);
  EXPECT_FALSE(Ipv4View::Parse(b).has_value());
  Store16(b.data() + 2, 24);
  EXPECT_TRUE(Ipv4View::Parse(b).has_value());
}

}  // namespace
}  // namespace tcpaas::wire
