#include "stack/wire/checksum.h"

#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/hex_for_tests.h"

namespace tcpaas::wire {
namespace {

constexpr uint64_t kSeed = 0x5eed0001;

// The RFC 1071 §1 definition, one big-endian word at a time, as the reference.
uint16_t ReferenceChecksum(absl::Span<const uint8_t> b) {
  uint32_t sum = 0;
  size_t i = 0;
  for (; i + 1 < b.size(); i += 2) {
    sum += static_cast<uint32_t>((b[i] << 8) | b[i + 1]);
    sum = (sum & 0xffff) + (sum >> 16);
  }
  if (i < b.size()) {
    sum += static_cast<uint32_t>(b[i] << 8);
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum & 0xffff);
}

std::vector<uint8_t> RandomBytes(std::mt19937_64& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

TEST(ChecksumTest, Rfc1071Example) {
  // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2, so the checksum is 220d.
  const std::vector<uint8_t> b = HexBytes("00 01 f2 03 f4 f5 f6 f7");
  EXPECT_EQ(InternetChecksum(b), 0x220d);
  EXPECT_EQ(ReferenceChecksum(b), 0x220d);
}

TEST(ChecksumTest, EmptyAndAllOnes) {
  EXPECT_EQ(InternetChecksum({}), 0xffff);
  EXPECT_EQ(ChecksumAccumulator().Finish(), 0xffff);
  // All-ones words sum to "negative zero"; its complement is 0.
  const std::vector<uint8_t> ones(64, 0xff);
  EXPECT_EQ(InternetChecksum(ones), 0x0000);
}

TEST(ChecksumTest, CapturedIpv4Header) {
  // The IPv4 header of a SYN the Linux kernel sent (198.18.0.2 -> 198.18.0.1), checksum 7ae0.
  std::vector<uint8_t> h = HexBytes("4500 003c 33b4 4000 4006 7ae0 c612 0002 c612 0001");
  EXPECT_EQ(InternetChecksum(h), 0);  // a correct header sums to all ones
  h[10] = h[11] = 0;
  EXPECT_EQ(InternetChecksum(h), 0x7ae0);
}

TEST(ChecksumTest, MatchesReferenceAtEveryLengthAndAlignment) {
  // Lengths around the 32/8/4/2-byte steps of the fast path, at every start alignment,
  // with random bytes and with all-0xff bytes (the carry-heavy case).
  std::mt19937_64 rng(kSeed);
  for (int pattern = 0; pattern < 2; ++pattern) {
    std::vector<uint8_t> buf = RandomBytes(rng, 400);
    if (pattern == 1) std::fill(buf.begin(), buf.end(), 0xff);
    for (size_t offset = 0; offset < 8; ++offset) {
      for (size_t len = 0; len + offset <= buf.size() && len <= 300; ++len) {
        const absl::Span<const uint8_t> s(buf.data() + offset, len);
        ASSERT_EQ(InternetChecksum(s), ReferenceChecksum(s))
            << "pattern=" << pattern << " offset=" << offset << " len=" << len;
      }
    }
  }
}

TEST(ChecksumTest, RandomSplitsEqualOneAdd) {
  // Adding [a, b) then [b, c) equals adding [a, c), whatever the parities of the pieces.
  std::mt19937_64 rng(kSeed);
  for (int iter = 0; iter < 2000; ++iter) {
    SCOPED_TRACE(testing::Message() << "seed=" << kSeed << " iteration=" << iter);
    const std::vector<uint8_t> buf = RandomBytes(rng, rng() % 2000);
    ChecksumAccumulator pieces;
    size_t at = 0;
    while (at < buf.size()) {
      const size_t n = std::min<size_t>(buf.size() - at, rng() % 70);
      pieces.Add(absl::MakeConstSpan(buf.data() + at, n));
      at += n;
    }
    ASSERT_EQ(pieces.Finish(), ReferenceChecksum(buf));
    ASSERT_EQ(pieces.Finish(), InternetChecksum(buf));
  }
}

TEST(ChecksumTest, SingleBytesOneAtATime) {
  std::mt19937_64 rng(kSeed);
  const std::vector<uint8_t> buf = RandomBytes(rng, 101);
  ChecksumAccumulator acc;
  for (uint8_t b : buf) acc.Add(absl::MakeConstSpan(&b, 1));
  EXPECT_EQ(acc.Finish(), ReferenceChecksum(buf));
}

TEST(ChecksumTest, WordsEqualTheirBytesAtAnyParity) {
  // Add16/Add32 behave as their big-endian bytes, also right after an odd-length span.
  std::mt19937_64 rng(kSeed);
  for (int iter = 0; iter < 500; ++iter) {
    SCOPED_TRACE(testing::Message() << "seed=" << kSeed << " iteration=" << iter);
    const std::vector<uint8_t> prefix = RandomBytes(rng, rng() % 9);
    const uint16_t w16 = static_cast<uint16_t>(rng());
    const uint32_t w32 = static_cast<uint32_t>(rng());
    const std::vector<uint8_t> suffix = RandomBytes(rng, rng() % 9);

    ChecksumAccumulator words;
    words.Add(prefix);
    words.Add16(w16);
    words.Add32(w32);
    words.Add(suffix);

    std::vector<uint8_t> all = prefix;
    all.push_back(static_cast<uint8_t>(w16 >> 8));
    all.push_back(static_cast<uint8_t>(w16));
    for (int shift = 24; shift >= 0; shift -= 8) all.push_back(static_cast<uint8_t>(w32 >> shift));
    all.insert(all.end(), suffix.begin(), suffix.end());
    ASSERT_EQ(words.Finish(), ReferenceChecksum(all));
  }
}

TEST(ChecksumTest, PseudoHeaderIsTheTwelveBytesOfRfc9293) {
  // RFC 9293 §3.1: src, dst, zero, protocol, TCP length.
  ChecksumAccumulator acc;
  acc.AddPseudoHeader(Ipv4Address::FromOctets(198, 18, 0, 2),
                      Ipv4Address::FromOctets(198, 18, 0, 1), 6, 40);
  EXPECT_EQ(acc.Finish(), ReferenceChecksum(HexBytes("c612 0002 c612 0001 0006 0028")));
}

TEST(ChecksumTest, FinishDoesNotConsume) {
  ChecksumAccumulator acc;
  acc.Add(HexBytes("00 01 f2"));
  const uint16_t first = acc.Finish();
  EXPECT_EQ(acc.Finish(), first);
  acc.Add(HexBytes("03 f4 f5 f6 f7"));
  EXPECT_EQ(acc.Finish(), 0x220d);
}

TEST(ChecksumTest, LargeBufferMatchesReference) {
  // 64 KiB segments (GSO) are checksummed in one go; no intermediate overflow.
  std::vector<uint8_t> big(65536 + 3, 0xff);
  EXPECT_EQ(InternetChecksum(big), ReferenceChecksum(big));
  std::mt19937_64 rng(kSeed);
  big = RandomBytes(rng, 1 << 20);
  EXPECT_EQ(InternetChecksum(big), ReferenceChecksum(big));
}

}  // namespace
}  // namespace tcpaas::wire
