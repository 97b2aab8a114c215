#include "stack/tcp/isn.h"

#include <bit>

namespace tcpaas::tcp {
namespace {

uint64_t LoadLittleEndian64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// The SipHash state and its round function (SipRound in the paper, §2).
struct SipState {
  uint64_t v0, v1, v2, v3;

  void Round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }

  // Compression: c = 2 rounds per message word.
  void Absorb(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

// The tuple fields in network byte order, behind a one-byte domain tag so the ISN hash and
// the port hash are independent functions of the same secret.
class HashInput {
 public:
  explicit HashInput(uint8_t domain) { bytes_[size_++] = domain; }
  void Add32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes_[size_++] = static_cast<uint8_t>(v >> shift);
  }
  void Add16(uint16_t v) {
    bytes_[size_++] = static_cast<uint8_t>(v >> 8);
    bytes_[size_++] = static_cast<uint8_t>(v);
  }
  absl::Span<const uint8_t> span() const { return {bytes_.data(), size_}; }

 private:
  std::array<uint8_t, 16> bytes_{};
  size_t size_ = 0;
};

constexpr uint8_t kIsnDomain = 'I';
constexpr uint8_t kPortDomain = 'P';

// RFC 6528 §3: M ticks every 4 microseconds.
constexpr int64_t kNanosPerIsnTick = 4000;

}  // namespace

uint64_t SipHash24(const std::array<uint64_t, 2>& key, absl::Span<const uint8_t> data) {
  // Initialization (paper §2): the key xored into the "somepseudorandomlygeneratedbytes" words.
  SipState s{.v0 = key[0] ^ 0x736f6d6570736575ull,
             .v1 = key[1] ^ 0x646f72616e646f6dull,
             .v2 = key[0] ^ 0x6c7967656e657261ull,
             .v3 = key[1] ^ 0x7465646279746573ull};
  const size_t full_words = data.size() / 8;
  for (size_t i = 0; i < full_words; ++i) s.Absorb(LoadLittleEndian64(data.data() + 8 * i));
  // The last word holds the 0-7 remaining bytes, little-endian, and the length mod 256 on top.
  uint64_t last = static_cast<uint64_t>(data.size() & 0xff) << 56;
  for (size_t i = 8 * full_words; i < data.size(); ++i) {
    last |= static_cast<uint64_t>(data[i]) << (8 * (i - 8 * full_words));
  }
  s.Absorb(last);
  // Finalization: d = 4 rounds.
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

SeqNum IsnGenerator::Generate(const FourTuple& tuple, Instant now) const {
  // RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey).
  HashInput in(kIsnDomain);
  in.Add32(tuple.local.addr.value());
  in.Add16(tuple.local.port.value());
  in.Add32(tuple.remote.addr.value());
  in.Add16(tuple.remote.port.value());
  const auto f = static_cast<uint32_t>(SipHash24(secret_, in.span()));
  // M wraps modulo 2^32 (about every 4.77 hours); floor division keeps it monotonic even for
  // an epoch after `now`.
  int64_t ticks = now.nanos() / kNanosPerIsnTick;
  if (now.nanos() % kNanosPerIsnTick < 0) --ticks;
  const auto m = static_cast<uint32_t>(static_cast<uint64_t>(ticks));
  return SeqNum(f) + m;
}

uint32_t IsnGenerator::PortOffset(Ipv4Address local, Endpoint remote) const {
  // RFC 6056 §3.3.3 (algorithm 3): offset = F(local_IP, remote_IP, remote_port, secret_key).
  HashInput in(kPortDomain);
  in.Add32(local.value());
  in.Add32(remote.addr.value());
  in.Add16(remote.port.value());
  return static_cast<uint32_t>(SipHash24(secret_, in.span()));
}

}  // namespace tcpaas::tcp
