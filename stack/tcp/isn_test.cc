#include "stack/tcp/isn.h"

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

// The key of the SipHash paper's test vectors: bytes 00 01 .. 0f, read as two little-endian
// 64-bit words.
constexpr std::array<uint64_t, 2> kPaperKey = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

struct SipHashVector {
  size_t length;  // message = 00 01 .. (length - 1)
  uint64_t hash;
};

class SipHashVectorTest : public testing::TestWithParam<SipHashVector> {};

TEST_P(SipHashVectorTest, MatchesTheReference) {
  std::vector<uint8_t> message(GetParam().length);
  for (size_t i = 0; i < message.size(); ++i) message[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(SipHash24(kPaperKey, message), GetParam().hash)
      << std::hex << "got 0x" << SipHash24(kPaperKey, message);
}

// From the reference implementation's vectors; 15 bytes is the paper's worked example
// (Appendix A). The lengths straddle the 8-byte word boundary.
INSTANTIATE_TEST_SUITE_P(Reference, SipHashVectorTest,
                         testing::Values(SipHashVector{15, 0xa129ca6149be45e5ull},
                                         SipHashVector{0, 0x726fdb47dd0e0e31ull},
                                         SipHashVector{1, 0x74f839c593dc67fdull},
                                         SipHashVector{7, 0xab0200f58b01d137ull},
                                         SipHashVector{8, 0x93f5f5799a932462ull},
                                         SipHashVector{16, 0x3f2acc7f57c29bdbull}));

FourTuple Tuple(uint8_t local_last, uint16_t local_port, uint8_t remote_last,
                uint16_t remote_port) {
  return {.local = {Ipv4Address::FromOctets(198, 18, 0, local_last), Port(local_port)},
          .remote = {Ipv4Address::FromOctets(198, 18, 0, remote_last), Port(remote_port)}};
}

constexpr std::array<uint64_t, 2> kSecret = {0x0123456789abcdefull, 0xfedcba9876543210ull};
const Instant kT0 = Instant::FromNanos(123'456'788'000);  // a whole number of 4 us ticks

TEST(IsnGeneratorTest, SameInputsSameIsn) {
  const IsnGenerator a(kSecret);
  const IsnGenerator b(kSecret);
  const FourTuple t = Tuple(2, 40000, 1, 80);
  EXPECT_EQ(a.Generate(t, kT0), a.Generate(t, kT0));
  EXPECT_EQ(a.Generate(t, kT0), b.Generate(t, kT0));
}

TEST(IsnGeneratorTest, EveryTupleFieldChangesTheIsn) {
  const IsnGenerator gen(kSecret);
  const FourTuple base = Tuple(2, 40000, 1, 80);
  const std::vector<FourTuple> variants = {
      Tuple(3, 40000, 1, 80),  // local address
      Tuple(2, 40001, 1, 80),  // local port
      Tuple(2, 40000, 4, 80),  // remote address
      Tuple(2, 40000, 1, 81),  // remote port
      Tuple(1, 80, 2, 40000),  // the reverse direction
  };
  const SeqNum isn = gen.Generate(base, kT0);
  for (const FourTuple& t : variants) {
    EXPECT_NE(gen.Generate(t, kT0), isn) << t.local.port.value() << "->" << t.remote.port.value();
  }
}

TEST(IsnGeneratorTest, ManyTuplesGiveDistinctIsns) {
  const IsnGenerator gen(kSecret);
  absl::flat_hash_set<uint32_t> seen;
  for (uint16_t port = 32768; port < 32768 + 5000; ++port) {
    seen.insert(gen.Generate(Tuple(2, port, 1, 80), kT0).raw());
  }
  // 5000 values in 2^32: a collision is possible but has probability ~0.3%; allow a few.
  EXPECT_GE(seen.size(), 4995u);
}

TEST(IsnGeneratorTest, SecretChangesTheIsn) {
  const FourTuple t = Tuple(2, 40000, 1, 80);
  EXPECT_NE(IsnGenerator(kSecret).Generate(t, kT0),
            IsnGenerator({kSecret[0], kSecret[1] ^ 1}).Generate(t, kT0));
}

// RFC 6528 §3: M ticks every 4 microseconds, i.e. 250,000 per second.
struct ClockCase {
  Duration elapsed;
  uint32_t ticks;
};

class IsnClockTest : public testing::TestWithParam<ClockCase> {};

TEST_P(IsnClockTest, AdvancesWithTheFourMicrosecondClock) {
  const IsnGenerator gen(kSecret);
  const FourTuple t = Tuple(2, 40000, 1, 80);
  const SeqNum start = gen.Generate(t, kT0);  // kT0 is a multiple of 4 us
  EXPECT_EQ(gen.Generate(t, kT0 + GetParam().elapsed), start + GetParam().ticks);
}

INSTANTIATE_TEST_SUITE_P(Rfc6528, IsnClockTest,
                         testing::Values(ClockCase{Duration::Zero(), 0},
                                         ClockCase{Duration::Micros(3), 0},
                                         ClockCase{Duration::Micros(4), 1},
                                         ClockCase{Duration::Micros(1000), 250},
                                         ClockCase{Duration::Seconds(1), 250'000},
                                         ClockCase{Duration::Seconds(60), 15'000'000},
                                         // 2^32 ticks later M wraps to the same value.
                                         ClockCase{Duration::Micros(4 * (int64_t{1} << 32)), 0}));

TEST(IsnGeneratorTest, ClockIsMonotonicAcrossTheEpoch) {
  const IsnGenerator gen(kSecret);
  const FourTuple t = Tuple(2, 40000, 1, 80);
  // Around a zero epoch the tick still increases by one every 4 us (floor, not truncation).
  EXPECT_EQ(gen.Generate(t, Instant::FromNanos(-1)) + 1, gen.Generate(t, Instant::FromNanos(0)));
  EXPECT_EQ(gen.Generate(t, Instant::FromNanos(-4000)), gen.Generate(t, Instant::FromNanos(-1)));
}

TEST(IsnGeneratorTest, PortOffsetDependsOnAddressesRemotePortAndSecret) {
  const IsnGenerator gen(kSecret);
  const Ipv4Address local = Ipv4Address::FromOctets(198, 18, 0, 2);
  const Endpoint remote{Ipv4Address::FromOctets(198, 18, 0, 1), Port(80)};
  const uint32_t offset = gen.PortOffset(local, remote);
  EXPECT_EQ(gen.PortOffset(local, remote), offset);
  EXPECT_NE(gen.PortOffset(local, {remote.addr, Port(81)}), offset);
  EXPECT_NE(gen.PortOffset(Ipv4Address::FromOctets(198, 18, 0, 3), remote), offset);
  EXPECT_NE(gen.PortOffset(local, {Ipv4Address::FromOctets(198, 18, 0, 9), Port(80)}), offset);
  EXPECT_NE(IsnGenerator({kSecret[0] + 1, kSecret[1]}).PortOffset(local, remote), offset);
  // Not the ISN's hash: knowing one must not give away the other.
  EXPECT_NE(gen.Generate({{local, Port(0)}, remote}, Instant::Zero()).raw(), offset);
}

}  // namespace
}  // namespace tcpaas::tcp
