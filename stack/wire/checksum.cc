// RFC 1071 internet checksum. The bulk of a span is summed 64 bits at a time in the host's
// byte order with an end-around carry; RFC 1071 §2(B) makes the one's-complement sum byte
// order independent, so the folded 16-bit result only needs a byte swap on little-endian
// hosts to become the sum of big-endian words.
#include "stack/wire/checksum.h"

#include <bit>
#include <cstring>

#include "stack/wire/endian.h"

namespace tcpaas::wire {
namespace {

// One's-complement addition in 64 bits (the carry out of bit 63 wraps to bit 0).
inline uint64_t AddCarry64(uint64_t acc, uint64_t v) {
  uint64_t r;
  if (__builtin_add_overflow(acc, v, &r)) ++r;  // cannot overflow again: r <= 2^64 - 2
  return r;
}

// Folds a 64-bit one's-complement sum to 16 bits (2^16 - 1 divides 2^64 - 1).
inline uint16_t Fold64(uint64_t s) {
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}

inline uint64_t LoadNative64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint32_t LoadNative32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint16_t LoadNative16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The 16-bit one's-complement sum of the big-endian words of an even-length run of bytes.
uint16_t SumEvenBytes(const uint8_t* p, size_t n) {
  // Four independent accumulators let the carries of successive loads overlap.
  uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  while (n >= 32) {
    a0 = AddCarry64(a0, LoadNative64(p));
    a1 = AddCarry64(a1, LoadNative64(p + 8));
    a2 = AddCarry64(a2, LoadNative64(p + 16));
    a3 = AddCarry64(a3, LoadNative64(p + 24));
    p += 32;
    n -= 32;
  }
  uint64_t acc = AddCarry64(AddCarry64(a0, a1), AddCarry64(a2, a3));
  while (n >= 8) {
    acc = AddCarry64(acc, LoadNative64(p));
    p += 8;
    n -= 8;
  }
  if (n >= 4) {
    acc = AddCarry64(acc, LoadNative32(p));
    p += 4;
    n -= 4;
  }
  if (n >= 2) acc = AddCarry64(acc, LoadNative16(p));
  const uint16_t folded = Fold64(acc);
  if constexpr (std::endian::native == std::endian::little) {
    return static_cast<uint16_t>((folded >> 8) | (folded << 8));
  } else {
    return folded;
  }
}

}  // namespace

void ChecksumAccumulator::Add(absl::Span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  if (n == 0) return;
  if (odd_) {
    // The previous call ended in the high byte of a word; this byte completes it.
    sum_ += p[0];
    ++p;
    --n;
    odd_ = false;
  }
  sum_ += SumEvenBytes(p, n & ~size_t{1});
  if ((n & 1) != 0) {
    sum_ += static_cast<uint64_t>(p[n - 1]) << 8;
    odd_ = true;
  }
}

void ChecksumAccumulator::Add16(uint16_t v) {
  if (!odd_) {
    sum_ += v;
    return;
  }
  uint8_t b[2];
  Store16(b, v);
  Add(absl::MakeConstSpan(b, sizeof b));
}

void ChecksumAccumulator::Add32(uint32_t v) {
  if (!odd_) {
    sum_ += (v >> 16) + (v & 0xffff);
    return;
  }
  uint8_t b[4];
  Store32(b, v);
  Add(absl::MakeConstSpan(b, sizeof b));
}

void ChecksumAccumulator::AddPseudoHeader(Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                                          uint16_t length) {
  Add32(src.value());
  Add32(dst.value());
  Add16(protocol);
  Add16(length);
}

uint16_t ChecksumAccumulator::Finish() const { return static_cast<uint16_t>(~Fold64(sum_)); }

uint16_t InternetChecksum(absl::Span<const uint8_t> bytes) {
  ChecksumAccumulator acc;
  acc.Add(bytes);
  return acc.Finish();
}

}  // namespace tcpaas::wire
