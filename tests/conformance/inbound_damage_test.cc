#include "tests/conformance/inbound_damage.h"

#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/tcp.h"
#include "tests/conformance/segment_codec.h"

namespace tcpaas::conformance {
namespace {

const Ipv4Address kA = Ipv4Address::FromOctets(198, 18, 0, 1);
const Ipv4Address kB = Ipv4Address::FromOctets(198, 18, 0, 2);

TcpOptionSpec Unknown(const char* text) {
  TcpOptionSpec o;
  o.kind = TcpOptionSpec::Kind::kUnknown;
  o.text = text;
  return o;
}

TcpOptionSpec Nop() { return TcpOptionSpec{}; }

TEST(InboundDamageTest, PseudoOptionsAreTakenOutOfTheList) {
  std::vector<TcpOptionSpec> options = {Nop(), Unknown("bad_csum"), Nop(), Unknown("doff 4")};
  InboundDamage d;
  ASSERT_TRUE(ExtractDamage(&options, &d).ok());
  EXPECT_EQ(options.size(), 2u);
  EXPECT_TRUE(d.bad_checksum);
  ASSERT_TRUE(d.data_offset_words.has_value());
  EXPECT_EQ(*d.data_offset_words, 4);
}

TEST(InboundDamageTest, OtherUnknownOptionsAreNotDamage) {
  EXPECT_FALSE(IsDamageOption(Unknown("exp 1234")));
  EXPECT_FALSE(IsDamageOption(Unknown("doffx 3")));
  EXPECT_TRUE(IsDamageOption(Unknown("doff 3")));
}

TEST(InboundDamageTest, BadDataOffsetValuesAreErrors) {
  for (const char* text : {"doff", "doff 16", "doff x"}) {
    std::vector<TcpOptionSpec> options = {Unknown(text)};
    InboundDamage d;
    EXPECT_FALSE(ExtractDamage(&options, &d).ok()) << text;
  }
}

std::vector<uint8_t> Segment() {
  SegmentFields f;
  f.src_port = Port(1000);
  f.dst_port = Port(2000);
  f.flags = ParseFlags(".");
  f.window = 100;
  f.payload_len = 8;
  return BuildSegment(f, kA, kB);
}

TEST(InboundDamageTest, BadChecksumFailsVerification) {
  std::vector<uint8_t> s = Segment();
  ASSERT_TRUE(wire::TcpChecksumOk(kA, kB, s));
  ApplyDamage(InboundDamage{.bad_checksum = true}, kA, kB, absl::MakeSpan(s));
  EXPECT_FALSE(wire::TcpChecksumOk(kA, kB, s));
}

TEST(InboundDamageTest, DataOffsetIsRewrittenWithAValidChecksum) {
  std::vector<uint8_t> s = Segment();
  ApplyDamage(InboundDamage{.data_offset_words = 3}, kA, kB, absl::MakeSpan(s));
  EXPECT_EQ(s[12] >> 4, 3);
  EXPECT_TRUE(wire::TcpChecksumOk(kA, kB, s));
}

}  // namespace
}  // namespace tcpaas::conformance
