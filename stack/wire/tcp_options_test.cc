#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/hex_for_tests.h"
#include "stack/wire/tcp.h"

namespace tcpaas::wire {
namespace {

constexpr TcpTimestamps kTs{0x01020304u, 0xa0b0c0d0u};
constexpr char kTsHex[] = "08 0a 01 02 03 04 a0 b0 c0 d0";

std::string Encode(const TcpOptions& o) {
  uint8_t buf[kTcpMaxOptionsSize + 8];
  std::fill(std::begin(buf), std::end(buf), 0xee);
  const size_t n = o.WriteTo(buf);
  EXPECT_EQ(n, o.EncodedSize());
  EXPECT_EQ(n % 4, 0u);
  EXPECT_LE(n, kTcpMaxOptionsSize);
  EXPECT_EQ(buf[n], 0xee) << "wrote past EncodedSize()";
  return ToHex(absl::MakeConstSpan(buf, n));
}

std::string Hex(std::string_view s) { return ToHex(HexBytes(s)); }

TcpOptions WithBlocks(TcpOptions o, int n) {
  for (int i = 0; i < n; ++i) {
    const uint32_t left = 0x11111111u * static_cast<uint32_t>(i + 1);
    o.AddSackBlock({SeqNum(left), SeqNum(left + 0x100)});
  }
  return o;
}

// The layouts of Linux's tcp_options_write() for every combination of MSS, SACK-permitted,
// timestamps and window scale (captures of the SYN cases are in tcp_header_test.cc).
TEST(TcpOptionsWriteTest, EveryCombinationOfTheSynOptions) {
  for (int mask = 0; mask < 16; ++mask) {
    const bool mss = (mask & 1) != 0, sack = (mask & 2) != 0, ts = (mask & 4) != 0,
               ws = (mask & 8) != 0;
    TcpOptions o;
    if (mss) o.mss = 1460;
    o.sack_permitted = sack;
    if (ts) o.timestamps = kTs;
    if (ws) o.window_scale = 7;

    std::string want;
    if (mss) want += "02 04 05 b4 ";
    if (ts) want += std::string(sack ? "04 02 " : "01 01 ") + kTsHex + " ";
    if (sack && !ts) want += "01 01 04 02 ";
    if (ws) want += "01 03 03 07 ";
    EXPECT_EQ(Encode(o), Hex(want))
        << "mss=" << mss << " sack=" << sack << " ts=" << ts << " ws=" << ws;
  }
}

TEST(TcpOptionsWriteTest, ExplicitLayouts) {
  struct Case {
    const char* name;
    TcpOptions options;
    const char* hex;
  };
  TcpOptions syn_ts;
  syn_ts.mss = 1460;
  syn_ts.sack_permitted = true;
  syn_ts.timestamps = kTs;
  syn_ts.window_scale = 7;
  TcpOptions syn_no_ts = syn_ts;
  syn_no_ts.timestamps.reset();
  TcpOptions ts_only;
  ts_only.timestamps = kTs;
  TcpOptions ws_ts;
  ws_ts.timestamps = kTs;
  ws_ts.window_scale = 14;

  const Case cases[] = {
      {"nothing", TcpOptions(), ""},
      {"SYN with TS", syn_ts, "0204 05b4 0402 080a 0102 0304 a0b0 c0d0 0103 0307"},
      {"SYN without TS", syn_no_ts, "0204 05b4 0101 0402 0103 0307"},
      {"ACK with TS", ts_only, "0101 080a 0102 0304 a0b0 c0d0"},
      {"1 block, no TS", WithBlocks(TcpOptions(), 1), "0101 050a 1111 1111 1111 1211"},
      {"2 blocks, no TS", WithBlocks(TcpOptions(), 2),
       "0101 0512 1111 1111 1111 1211 2222 2222 2222 2322"},
      {"4 blocks, no TS (36 bytes)", WithBlocks(TcpOptions(), 4),
       "0101 0522 1111 1111 1111 1211 2222 2222 2222 2322 "
       "3333 3333 3333 3433 4444 4444 4444 4544"},
      {"1 block with TS", WithBlocks(ts_only, 1),
       "0101 080a 0102 0304 a0b0 c0d0 0101 050a 1111 1111 1111 1211"},
      {"3 blocks with TS (40 bytes)", WithBlocks(ts_only, 3),
       "0101 080a 0102 0304 a0b0 c0d0 0101 051a 1111 1111 1111 1211 "
       "2222 2222 2222 2322 3333 3333 3333 3433"},
      {"4 blocks with TS: the 4th does not fit", WithBlocks(ts_only, 4),
       "0101 080a 0102 0304 a0b0 c0d0 0101 051a 1111 1111 1111 1211 "
       "2222 2222 2222 2322 3333 3333 3333 3433"},
      {"TS and wscale leave room for 2 blocks", WithBlocks(ws_ts, 4),
       "0101 080a 0102 0304 a0b0 c0d0 0103 030e 0101 0512 1111 1111 1111 1211 "
       "2222 2222 2222 2322"},
      {"full SYN options leave room for 2 blocks", WithBlocks(syn_ts, 4),
       "0204 05b4 0402 080a 0102 0304 a0b0 c0d0 0103 0307 0101 0512 1111 1111 1111 1211 "
       "2222 2222 2222 2322"},
      {"SYN options without TS leave room for 3 blocks", WithBlocks(syn_no_ts, 4),
       "0204 05b4 0101 0402 0103 0307 0101 051a 1111 1111 1111 1211 "
       "2222 2222 2222 2322 3333 3333 3333 3433"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Encode(c.options), Hex(c.hex)) << c.name;
  }
}

TEST(TcpOptionsWriteTest, WriteThenParseGivesTheSameOptions) {
  // Every combination of the SYN options with 0..4 SACK blocks; blocks that do not fit are
  // the trailing ones and the only thing lost.
  for (int mask = 0; mask < 16; ++mask) {
    for (int blocks = 0; blocks <= 4; ++blocks) {
      SCOPED_TRACE(testing::Message() << "mask=" << mask << " blocks=" << blocks);
      TcpOptions o;
      if (mask & 1) o.mss = 536;
      o.sack_permitted = (mask & 2) != 0;
      if (mask & 4) o.timestamps = TcpTimestamps{0xffffffffu, 0};
      if (mask & 8) o.window_scale = 0;
      o = WithBlocks(o, blocks);

      uint8_t buf[kTcpMaxOptionsSize];
      const size_t n = o.WriteTo(buf);
      TcpOptions parsed;
      ASSERT_TRUE(ParseTcpOptions(absl::MakeConstSpan(buf, n), &parsed));
      EXPECT_EQ(parsed.mss, o.mss);
      EXPECT_EQ(parsed.sack_permitted, o.sack_permitted);
      EXPECT_EQ(parsed.timestamps, o.timestamps);
      EXPECT_EQ(parsed.window_scale, o.window_scale);
      ASSERT_LE(parsed.sack_count, o.sack_count);
      const size_t room =
          kTcpMaxOptionsSize - (n - (parsed.sack_count == 0 ? 0 : 4 + 8 * parsed.sack_count));
      // Kept as many blocks as fit: one more would not have.
      if (parsed.sack_count < o.sack_count) {
        EXPECT_LT(room, 4 + 8u * (parsed.sack_count + 1));
      }
      for (size_t i = 0; i < parsed.sack_count; ++i) {
        EXPECT_EQ(parsed.sack_blocks[i], o.sack_blocks[i]);
      }
    }
  }
}

TEST(TcpOptionsTest, AddSackBlockKeepsAtMostFour) {
  TcpOptions o = WithBlocks(TcpOptions(), 6);
  EXPECT_EQ(o.sack_count, kTcpMaxSackBlocks);
  EXPECT_EQ(o.sack_blocks[3].left, SeqNum(0x44444444u));
}

TEST(TcpOptionsTest, EqualityIgnoresUnusedBlockSlots) {
  TcpOptions a = WithBlocks(TcpOptions(), 1);
  TcpOptions b = a;
  b.sack_blocks[2] = SackBlock{SeqNum(9), SeqNum(10)};  // beyond sack_count
  EXPECT_TRUE(a == b);
  b.sack_blocks[0].right = SeqNum(1);
  EXPECT_FALSE(a == b);
  b = a;
  b.window_scale = 0;
  EXPECT_FALSE(a == b);
}

struct ParseCase {
  const char* name;
  const char* hex;
  bool ok;
  TcpOptions want;
};

TcpOptions Mss(uint16_t v) {
  TcpOptions o;
  o.mss = v;
  return o;
}
TcpOptions Ws(uint8_t v) {
  TcpOptions o;
  o.window_scale = v;
  return o;
}
TcpOptions SackOk() {
  TcpOptions o;
  o.sack_permitted = true;
  return o;
}
TcpOptions Ts(uint32_t val, uint32_t ecr) {
  TcpOptions o;
  o.timestamps = TcpTimestamps{val, ecr};
  return o;
}

TEST(ParseTcpOptionsTest, Table) {
  TcpOptions linux_syn = Mss(65495);
  linux_syn.sack_permitted = true;
  linux_syn.timestamps = TcpTimestamps{3577892846u, 0};
  linux_syn.window_scale = 10;
  TcpOptions ts_and_3_blocks = WithBlocks(Ts(1, 2), 3);

  const ParseCase cases[] = {
      // Well-formed.
      {"empty", "", true, TcpOptions()},
      {"linux SYN", "0204 ffd7 0402 080a d542 4fee 0000 0000 0103 030a", true, linux_syn},
      {"40 bytes: TS and 3 blocks",
       "0101 080a 0000 0001 0000 0002 0101 051a 1111 1111 1111 1211 "
       "2222 2222 2222 2322 3333 3333 3333 3433",
       true, ts_and_3_blocks},
      {"mss", "02 04 05 b4", true, Mss(1460)},
      {"wscale 14", "03 03 0e", true, Ws(14)},
      {"wscale 15 is kept as sent", "03 03 0f", true, Ws(15)},
      {"wscale 255 is kept as sent", "03 03 ff", true, Ws(255)},
      {"sackOK", "04 02", true, SackOk()},
      {"timestamps", "08 0a 00 00 00 01 00 00 00 02", true, Ts(1, 2)},
      {"one block", "05 0a 11111111 11111211", true, WithBlocks(TcpOptions(), 1)},
      {"four blocks",
       "05 22 11111111 11111211 22222222 22222322 33333333 33333433 44444444 44444544", true,
       WithBlocks(TcpOptions(), 4)},
      {"nops only", "01 01 01 01", true, TcpOptions()},
      // EOL ends the list; whatever follows is padding.
      {"EOL alone", "00", true, TcpOptions()},
      {"EOL then an option", "00 02 04 05 b4", true, TcpOptions()},
      {"option, EOL, garbage", "02 04 05 b4 00 ff ff ff", true, Mss(1460)},
      {"EOL then a bad length", "00 02 00", true, TcpOptions()},
      // Unknown kinds are skipped by their length.
      {"unknown kind then mss", "fe 04 aa bb 02 04 05 b4", true, Mss(1460)},
      {"unknown kind of length 2", "22 02 04 02", true, SackOk()},
      {"MD5 signature (kind 19)", "13 12 00000000 00000000 00000000 00000000 03 03 02", true,
       Ws(2)},
      {"fast open cookie (kind 34)", "22 0a 0102030405060708 0101", true, TcpOptions()},
      // Known kinds with the wrong length are ignored, the rest is still read.
      {"mss of length 3", "02 03 05 04 02", true, SackOk()},
      {"mss of length 5", "02 05 05 b4 00 04 02", true, SackOk()},
      {"wscale of length 2", "03 02 02 04 05 b4", true, Mss(1460)},
      {"wscale of length 4", "03 04 07 00", true, TcpOptions()},
      {"sackOK of length 3", "04 03 00", true, TcpOptions()},
      {"TS of length 9", "08 09 00000001 000000 01", true, TcpOptions()},
      {"TS of length 12", "08 0c 00000001 00000002 0000", true, TcpOptions()},
      {"SACK of length 2 (no block)", "05 02", true, TcpOptions()},
      {"SACK of length 9", "05 09 11111111 111112 01", true, TcpOptions()},
      {"SACK of length 11", "05 0b 11111111 11111211 00", true, TcpOptions()},
      {"SACK of 5 blocks",
       "05 2a 11111111 11111211 22222222 22222322 33333333 33333433 44444444 44444544 "
       "55555555 55555655",
       true, TcpOptions()},
      // Later duplicates win, as in Linux.
      {"mss twice", "02 04 00 01 02 04 00 02", true, Mss(2)},
      {"SACK twice", "05 0a 00000001 00000002 05 0a 11111111 11111211", true,
       WithBlocks(TcpOptions(), 1)},
      // Malformed: a length byte missing, below 2, or past the end.
      {"kind without length", "02", false, TcpOptions()},
      {"nop then kind without length", "01 01 01 08", false, TcpOptions()},
      {"length 0", "02 00 05 b4", false, TcpOptions()},
      {"length 1", "02 01 05 b4", false, TcpOptions()},
      {"unknown kind with length 0", "fe 00", false, TcpOptions()},
      {"unknown kind with length 1", "fe 01", false, TcpOptions()},
      {"mss overruns", "02 04 05", false, TcpOptions()},
      {"TS overruns", "01 01 08 0a 00 00 00 01", false, TcpOptions()},
      {"SACK overruns", "01 01 05 12 11111111 11111211", false, TcpOptions()},
      {"unknown kind overruns", "fe 28 00 00", false, TcpOptions()},
      {"good options then an overrun", "02 04 05 b4 03 03 07 08 0a 00", false, TcpOptions()},
  };
  for (const ParseCase& c : cases) {
    // Start from non-empty options: the result must not depend on what was there.
    TcpOptions got = WithBlocks(Mss(9), 2);
    got.window_scale = 3;
    EXPECT_EQ(ParseTcpOptions(HexBytes(c.hex), &got), c.ok) << c.name;
    EXPECT_TRUE(got == c.want) << c.name << ": got mss=" << got.mss.value_or(0)
                               << " ws=" << static_cast<int>(got.window_scale.value_or(0))
                               << " sack_ok=" << got.sack_permitted
                               << " ts=" << got.timestamps.has_value()
                               << " blocks=" << static_cast<int>(got.sack_count);
  }
}

TEST(ParseTcpOptionsTest, EveryTruncationOfAFullOptionListIsSafe) {
  // Cut at every length: either a clean prefix of the options, or malformed — never more.
  const std::vector<uint8_t> b = HexBytes(
      "0101 080a 0000 0001 0000 0002 0101 051a 1111 1111 1111 1211 "
      "2222 2222 2222 2322 3333 3333 3333 3433");
  for (size_t n = 0; n <= b.size(); ++n) {
    TcpOptions o;
    const bool ok = ParseTcpOptions(absl::MakeConstSpan(b.data(), n), &o);
    const bool want_ok = n <= 2 || n == 12 || n == 13 || n == 14 || n == 40;
    EXPECT_EQ(ok, want_ok) << n;
    EXPECT_EQ(o.timestamps.has_value(), n >= 12 && ok) << n;
    EXPECT_EQ(o.sack_count, n == 40 ? 3 : 0) << n;
  }
}

}  // namespace
}  // namespace tcpaas::wire
