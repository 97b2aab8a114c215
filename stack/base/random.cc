#include "stack/base/random.h"

namespace tcpaas {
namespace {

constexpr uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng::Rng(uint64_t seed, uint64_t stream) {
  // Mixing the stream in before seeding keeps (seed, stream) pairs far apart.
  uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
  for (uint64_t& word : s_) word = SplitMix64(&x);
  // splitmix64 is a bijection of its counter, so four consecutive outputs are never all zero.
}

Rng Rng::FromState(const std::array<uint64_t, 4>& state) {
  Rng rng;
  rng.s_ = state;
  return rng;
}

uint64_t Rng::Next64() {
  const uint64_t result = RotateLeft(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = RotateLeft(s_[3], 45);
  return result;
}

uint64_t Rng::Uniform(uint64_t n) {
  if (n == 0) return 0;
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  unsigned __int128 m = static_cast<unsigned __int128>(Next64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(Next64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double Rng::UniformDouble() { return static_cast<double>(Next64() >> 11) * 0x1.0p-53; }

bool Rng::Bernoulli(double p) {
  const double u = UniformDouble();
  if (p <= 0) return false;
  if (p >= 1) return true;
  return u < p;
}

}  // namespace tcpaas
