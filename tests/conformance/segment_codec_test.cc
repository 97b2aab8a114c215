#include "tests/conformance/segment_codec.h"

#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/tcp.h"

namespace tcpaas::conformance {
namespace {

const Ipv4Address kA = Ipv4Address::FromOctets(198, 18, 0, 1);
const Ipv4Address kB = Ipv4Address::FromOctets(198, 18, 0, 2);

TcpOptionSpec Opt(TcpOptionSpec::Kind kind, uint32_t value = 0) {
  TcpOptionSpec o;
  o.kind = kind;
  o.value = value;
  return o;
}

TEST(SegmentCodecTest, FlagsRoundTrip) {
  for (const char* letters : {"S", "S.", "F.", "FP.", "R", "R.", ".", "SEW", "P."}) {
    const FlagBits f = ParseFlags(letters);
    EXPECT_EQ(FlagsToLetters(f.flags, f.ae), letters);
  }
  EXPECT_EQ(ParseFlags("").flags, 0);
  EXPECT_EQ(FlagsToLetters(0, false), "-");
}

// The script's option order survives encoding, NOPs included.
TEST(SegmentCodecTest, OptionsKeepTheScriptsOrder) {
  TcpOptionSpec ts = Opt(TcpOptionSpec::Kind::kTimestamp);
  ts.ts_val = 100;
  ts.ts_ecr = 7;
  absl::StatusOr<std::vector<uint8_t>> bytes =
      EncodeOptions({Opt(TcpOptionSpec::Kind::kMss, 1460), Opt(TcpOptionSpec::Kind::kNop),
                     Opt(TcpOptionSpec::Kind::kWindowScale, 2), Opt(TcpOptionSpec::Kind::kNop),
                     Opt(TcpOptionSpec::Kind::kNop), Opt(TcpOptionSpec::Kind::kSackPermitted), ts,
                     Opt(TcpOptionSpec::Kind::kNop), Opt(TcpOptionSpec::Kind::kNop)});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->size(), 24u);
  absl::StatusOr<std::vector<RawOption>> back = DecodeOptions(*bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(FormatOptions(*back), "mss 1460,nop,wscale 2,nop,nop,sackOK,TS val 100 ecr 7,nop,nop");
}

TEST(SegmentCodecTest, OptionErrors) {
  EXPECT_FALSE(EncodeOptions({Opt(TcpOptionSpec::Kind::kNop)}).ok());  // not a multiple of 4
  std::vector<TcpOptionSpec> too_many(44, Opt(TcpOptionSpec::Kind::kNop));
  EXPECT_FALSE(EncodeOptions(too_many).ok());
  const uint8_t overrun[] = {2, 4, 5};
  EXPECT_FALSE(DecodeOptions(overrun).ok());
  const uint8_t short_len[] = {8, 1, 0, 0};
  EXPECT_FALSE(DecodeOptions(short_len).ok());
}

TEST(SegmentCodecTest, BuiltSegmentsParseBackWithAGoodChecksum) {
  SegmentFields f;
  f.src_port = Port(48000);
  f.dst_port = Port(8080);
  f.seq = 4294967290u;
  f.ack = 77;
  f.flags = ParseFlags("P.");
  f.window = 257;
  f.options = {1, 1, 4, 2};
  f.payload_len = 10;
  const std::vector<uint8_t> bytes = BuildSegment(f, kA, kB);
  EXPECT_TRUE(wire::TcpChecksumOk(kA, kB, bytes));
  absl::StatusOr<ObservedSegment> s = ParseSegment(bytes, kA, kB, Instant::Zero());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->seq, 4294967290u);
  EXPECT_EQ(s->ack, 77u);
  EXPECT_EQ(s->header_length, 24u);
  EXPECT_EQ(s->payload.size(), 10u);
  EXPECT_TRUE(s->checksum_ok);
  EXPECT_EQ(s->ToString(), "P. 4294967290:4(10) ack 77 win 257 <nop,nop,sackOK>");
}

}  // namespace
}  // namespace tcpaas::conformance
