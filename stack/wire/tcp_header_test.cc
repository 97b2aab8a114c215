#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/endian.h"
#include "stack/wire/hex_for_tests.h"
#include "stack/wire/tcp.h"

namespace tcpaas::wire {
namespace {

using tcp_flags::kAck;
using tcp_flags::kCwr;
using tcp_flags::kEce;
using tcp_flags::kFin;
using tcp_flags::kPsh;
using tcp_flags::kRst;
using tcp_flags::kSyn;
using tcp_flags::kUrg;

const Ipv4Address kClient = Ipv4Address::FromOctets(198, 18, 0, 2);
const Ipv4Address kServer = Ipv4Address::FromOctets(198, 18, 0, 1);

// Segments the Linux kernel sent over loopback in a namespace, captured with tcpdump (the
// checksum fields hold the values tcpdump verified), next to the header values they carry.
struct CapturedSegment {
  const char* name;
  bool from_client;
  TcpHeader header;
  std::string payload;
  const char* hex;
};

TcpOptions Opts(std::optional<uint16_t> mss, bool sack_ok, std::optional<TcpTimestamps> ts,
                std::optional<uint8_t> ws) {
  TcpOptions o;
  o.mss = mss;
  o.sack_permitted = sack_ok;
  o.timestamps = ts;
  o.window_scale = ws;
  return o;
}

std::vector<CapturedSegment> CapturedSegments() {
  return {
      {"syn mss,sackOK,TS,nop,wscale", true,
       TcpHeader{Port(40000), Port(8080), SeqNum(1575288066), SeqNum(0), kSyn, 65495, 0,
                 Opts(65495, true, TcpTimestamps{3577892846u, 0}, 10)},
       "",
       "9c40 1f90 5de4 fd02 0000 0000 a002 ffd7 85f0 0000 "
       "0204 ffd7 0402 080a d542 4fee 0000 0000 0103 030a"},
      {"syn-ack mss,sackOK,TS,nop,wscale", false,
       TcpHeader{Port(8080), Port(40000), SeqNum(1284459896), SeqNum(1575288067), kSyn | kAck,
                 65483, 0, Opts(65495, true, TcpTimestamps{2297457671u, 3577892846u}, 10)},
       "",
       "1f90 9c40 4c8f 4d78 5de4 fd03 a012 ffcb f6eb 0000 "
       "0204 ffd7 0402 080a 88f0 6c07 d542 4fee 0103 030a"},
      {"ack nop,nop,TS", true,
       TcpHeader{Port(40000), Port(8080), SeqNum(1575288067), SeqNum(1284459897), kAck, 64, 0,
                 Opts(std::nullopt, false, TcpTimestamps{3577892846u, 2297457671u}, std::nullopt)},
       "", "9c40 1f90 5de4 fd03 4c8f 4d79 8010 0040 1f6b 0000 0101 080a d542 4fee 88f0 6c07"},
      {"psh-ack with 5 bytes (odd length)", true,
       TcpHeader{Port(40000), Port(8080), SeqNum(1575288067), SeqNum(1284459897), kPsh | kAck, 64,
                 0,
                 Opts(std::nullopt, false, TcpTimestamps{3577892846u, 2297457671u}, std::nullopt)},
       "hello",
       "9c40 1f90 5de4 fd03 4c8f 4d79 8018 0040 db8b 0000 0101 080a d542 4fee 88f0 6c07 "
       "6865 6c6c 6f"},
      {"fin-ack", true,
       TcpHeader{Port(40000), Port(8080), SeqNum(1575288072), SeqNum(1284459897), kFin | kAck, 64,
                 0,
                 Opts(std::nullopt, false, TcpTimestamps{3577892847u, 2297457671u}, std::nullopt)},
       "", "9c40 1f90 5de4 fd08 4c8f 4d79 8011 0040 1f64 0000 0101 080a d542 4fef 88f0 6c07"},
      {"syn mss only (no TS, SACK, WS)", true,
       TcpHeader{Port(40001), Port(8080), SeqNum(4223703876u), SeqNum(0), kSyn, 65495, 0,
                 Opts(65495, false, std::nullopt, std::nullopt)},
       "", "9c41 1f90 fbc0 9b44 0000 0000 6002 ffd7 bf2b 0000 0204 ffd7"},
      {"syn mss,nop,nop,sackOK,nop,wscale (no TS)", true,
       TcpHeader{Port(40001), Port(8080), SeqNum(4278930600u), SeqNum(0), kSyn, 65495, 0,
                 Opts(65495, true, std::nullopt, 10)},
       "", "9c41 1f90 ff0b 4ca8 0000 0000 8002 ffd7 e164 0000 0204 ffd7 0101 0402 0103 030a"},
      {"syn mss,nop,nop,TS,nop,wscale (no SACK)", true,
       TcpHeader{Port(40001), Port(8080), SeqNum(39390834), SeqNum(0), kSyn, 65495, 0,
                 Opts(65495, false, TcpTimestamps{2812547136u, 0}, 10)},
       "",
       "9c41 1f90 0259 0e72 0000 0000 a002 ffd7 4059 0000 "
       "0204 ffd7 0101 080a a7a4 1040 0000 0000 0103 030a"},
      {"syn mss,nop,wscale", true,
       TcpHeader{Port(40001), Port(8080), SeqNum(94617011), SeqNum(0), kSyn, 65495, 0,
                 Opts(65495, false, std::nullopt, 10)},
       "", "9c41 1f90 05a3 bdb3 0000 0000 7002 ffd7 7ec9 0000 0204 ffd7 0103 030a"},
      {"syn mss,nop,nop,sackOK", true,
       TcpHeader{Port(40001), Port(8080), SeqNum(149805020), SeqNum(0), kSyn, 65495, 0,
                 Opts(65495, true, std::nullopt, std::nullopt)},
       "", "9c41 1f90 08ed d7dc 0000 0000 7002 ffd7 6060 0000 0204 ffd7 0101 0402"},
  };
}

void ExpectSameHeader(const TcpHeader& got, const TcpHeader& want) {
  EXPECT_EQ(got.src_port, want.src_port);
  EXPECT_EQ(got.dst_port, want.dst_port);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.ack, want.ack);
  EXPECT_EQ(TcpFlagsToString(got.flags), TcpFlagsToString(want.flags));
  EXPECT_EQ(got.window, want.window);
  EXPECT_EQ(got.urgent_pointer, want.urgent_pointer);
  EXPECT_TRUE(got.options == want.options);
}

TEST(TcpHeaderTest, BuildsLinuxSegmentsByteForByte) {
  for (const CapturedSegment& c : CapturedSegments()) {
    SCOPED_TRACE(c.name);
    const std::vector<uint8_t> want = HexBytes(c.hex);
    std::vector<uint8_t> got(c.header.size() + c.payload.size());
    ASSERT_EQ(c.header.WriteTo(got.data()), c.header.size());
    std::copy(c.payload.begin(), c.payload.end(), got.begin() + c.header.size());
    const Ipv4Address src = c.from_client ? kClient : kServer;
    const Ipv4Address dst = c.from_client ? kServer : kClient;
    FillTcpChecksum(src, dst, absl::MakeSpan(got));
    EXPECT_EQ(ToHex(got), ToHex(want));
  }
}

TEST(TcpHeaderTest, ParsesLinuxSegments) {
  for (const CapturedSegment& c : CapturedSegments()) {
    SCOPED_TRACE(c.name);
    const std::vector<uint8_t> b = HexBytes(c.hex);
    std::optional<TcpHeaderView> v = TcpHeaderView::Parse(b);
    ASSERT_TRUE(v.has_value());
    const Ipv4Address src = c.from_client ? kClient : kServer;
    const Ipv4Address dst = c.from_client ? kServer : kClient;
    EXPECT_TRUE(TcpChecksumOk(src, dst, b));
    EXPECT_FALSE(TcpChecksumOk(src, Ipv4Address(dst.value() ^ 0x100), b));
    EXPECT_EQ(v->header_length(), c.header.size());
    EXPECT_EQ(v->checksum(), Load16(b.data() + 16));
    EXPECT_EQ(std::string(v->payload().begin(), v->payload().end()), c.payload);
    TcpOptions parsed;
    EXPECT_TRUE(ParseTcpOptions(v->options(), &parsed));
    ExpectSameHeader(TcpHeader::FromView(*v), c.header);
  }
}

TEST(TcpHeaderTest, ChecksumDetectsEveryBitFlip) {
  const std::vector<uint8_t> good = HexBytes(CapturedSegments()[3].hex);
  for (size_t bit = 0; bit < good.size() * 8; ++bit) {
    std::vector<uint8_t> b = good;
    b[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(TcpChecksumOk(kClient, kServer, b)) << "bit " << bit;
  }
}

TEST(TcpHeaderTest, RoundTripTable) {
  std::vector<TcpHeader> cases;
  TcpHeader h;
  h.src_port = Port(40000);
  h.dst_port = Port(80);
  h.seq = SeqNum(0xfffffff0u);
  h.ack = SeqNum(0x10);
  for (uint8_t flags : {kSyn, static_cast<uint8_t>(kSyn | kAck), kAck,
                        static_cast<uint8_t>(kPsh | kAck), static_cast<uint8_t>(kFin | kAck), kRst,
                        static_cast<uint8_t>(kRst | kAck), static_cast<uint8_t>(kUrg | kAck),
                        static_cast<uint8_t>(kSyn | kEce | kCwr), uint8_t{0}, uint8_t{0xff}}) {
    h.flags = flags;
    cases.push_back(h);
  }
  h.flags = kAck;
  h.window = 0xffff;
  h.urgent_pointer = 0x1234;
  h.src_port = Port(65535);
  h.dst_port = Port(1);
  cases.push_back(h);
  h.options = Opts(1460, true, TcpTimestamps{1, 0xffffffffu}, 14);
  cases.push_back(h);
  h.options = Opts(std::nullopt, false, TcpTimestamps{7, 8}, std::nullopt);
  h.options.AddSackBlock({SeqNum(100), SeqNum(200)});
  h.options.AddSackBlock({SeqNum(0xffffff00u), SeqNum(0x100)});
  h.options.AddSackBlock({SeqNum(300), SeqNum(400)});
  cases.push_back(h);
  h.options = TcpOptions();
  for (uint32_t i = 0; i < 4; ++i) h.options.AddSackBlock({SeqNum(i * 10), SeqNum(i * 10 + 5)});
  cases.push_back(h);

  for (size_t payload : {0, 1, 536}) {
    for (const TcpHeader& c : cases) {
      SCOPED_TRACE(testing::Message() << "flags " << TcpFlagsToString(c.flags) << " payload "
                                      << payload << " options " << c.options.EncodedSize());
      std::vector<uint8_t> b(c.size() + payload, 0x77);
      ASSERT_EQ(c.WriteTo(b.data()), c.size());
      FillTcpChecksum(kClient, kServer, absl::MakeSpan(b));
      std::optional<TcpHeaderView> v = TcpHeaderView::Parse(b);
      ASSERT_TRUE(v.has_value());
      EXPECT_TRUE(TcpChecksumOk(kClient, kServer, b));
      EXPECT_EQ(v->header_length(), c.size());
      EXPECT_EQ(v->options().size(), c.options.EncodedSize());
      EXPECT_EQ(v->payload().size(), payload);
      for (uint8_t f = 1; f != 0; f = static_cast<uint8_t>(f << 1)) {
        EXPECT_EQ(v->has(f), (c.flags & f) != 0);
      }
      ExpectSameHeader(TcpHeader::FromView(*v), c);
    }
  }
}

TEST(TcpHeaderTest, EveryTruncationIsRejected) {
  // A 40-byte header: cut anywhere, either the fixed part or the options are missing.
  const std::vector<uint8_t> b = HexBytes(CapturedSegments()[0].hex);
  ASSERT_TRUE(TcpHeaderView::Parse(b).has_value());
  for (size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(TcpHeaderView::Parse(absl::MakeConstSpan(b.data(), n)).has_value()) << n;
  }
}

TEST(TcpHeaderTest, DataOffsetTable) {
  // A 24-byte segment: data offset 5 leaves 4 payload bytes, 6 makes them options.
  for (int doff = 0; doff < 16; ++doff) {
    std::vector<uint8_t> b =
        HexBytes("9c40 1f90 0000 0001 0000 0000 5010 0040 0000 0000 0101 0101");
    b[12] = static_cast<uint8_t>(doff << 4);
    std::optional<TcpHeaderView> v = TcpHeaderView::Parse(b);
    ASSERT_EQ(v.has_value(), doff == 5 || doff == 6) << doff;
    if (v) {
      EXPECT_EQ(v->header_length(), static_cast<size_t>(doff) * 4);
      EXPECT_EQ(v->options().size(), doff == 6 ? 4u : 0u);
      EXPECT_EQ(v->payload().size(), doff == 6 ? 0u : 4u);
    }
  }
}

TEST(TcpHeaderTest, ReservedBitsDoNotChangeTheDataOffset) {
  std::vector<uint8_t> b = HexBytes("9c40 1f90 0000 0001 0000 0000 5f12 0040 0000 0000");
  std::optional<TcpHeaderView> v = TcpHeaderView::Parse(b);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->header_length(), 20u);
  EXPECT_EQ(v->flags(), kSyn | kAck);
}

TEST(TcpHeaderTest, MalformedOptionsLeaveFromViewEmpty) {
  // mss then an option whose length overruns the header.
  const std::vector<uint8_t> b =
      HexBytes("9c40 1f90 0000 0001 0000 0000 7002 0040 0000 0000 0204 05b4 0808 0000");
  std::optional<TcpHeaderView> v = TcpHeaderView::Parse(b);
  ASSERT_TRUE(v.has_value());
  TcpOptions o;
  EXPECT_FALSE(ParseTcpOptions(v->options(), &o));
  const TcpHeader h = TcpHeader::FromView(*v);
  EXPECT_TRUE(h.options == TcpOptions());
  EXPECT_EQ(h.flags, kSyn);
  EXPECT_EQ(h.seq, SeqNum(1));
}

TEST(TcpHeaderTest, ChecksumRejectsSegmentsTooLongForIpv4) {
  std::vector<uint8_t> big(0x10000, 0);
  EXPECT_FALSE(TcpChecksumOk(kClient, kServer, big));
}

TEST(TcpFlagsToStringTest, TcpdumpNotation) {
  // Expected strings printed by tcpdump 4.99 for the same flag bytes.
  const struct {
    uint8_t flags;
    const char* text;
  } cases[] = {
      {0x00, "none"}, {0x02, "S"},   {0x12, "S."},  {0x10, "."},   {0x18, "P."},
      {0x11, "F."},   {0x19, "FP."}, {0x04, "R"},   {0x14, "R."},  {0x01, "F"},
      {0x21, "FU"},   {0x30, ".U"},  {0xc2, "SEW"}, {0x52, "S.E"}, {0xff, "FSRP.UEW"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(TcpFlagsToString(c.flags), c.text) << static_cast<int>(c.flags);
  }
}

}  // namespace
}  // namespace tcpaas::wire
