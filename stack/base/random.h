// A small, fast, seedable pseudo-random generator whose output is fixed by its seed alone, on
// every platform and library version: xoshiro256** (Blackman & Vigna), seeded via splitmix64.
// Simulations and the fault injector use it so that a seed printed by a failing run replays
// the same run. It is not cryptographic: never use it for ISNs or connection ids.
#ifndef TCPAAS_STACK_BASE_RANDOM_H_
#define TCPAAS_STACK_BASE_RANDOM_H_

#include <array>
#include <cstdint>

namespace tcpaas {

// One step of splitmix64: advances *state and returns the next output. Also a good 64-bit
// mixing function for deriving seeds.
uint64_t SplitMix64(uint64_t* state);

class Rng {
 public:
  // Seeds the four state words from splitmix64(seed). `stream` selects an independent
  // sequence for the same seed (e.g. one per direction of a link).
  explicit Rng(uint64_t seed, uint64_t stream = 0);
  // Uses `state` as is (tests against reference vectors). Must not be all zero.
  static Rng FromState(const std::array<uint64_t, 4>& state);

  uint64_t Next64();
  // Uniform in [0, n); n == 0 returns 0. Unbiased (Lemire's multiply-and-reject).
  uint64_t Uniform(uint64_t n);
  // Uniform in [0, 1) with 53 bits of precision.
  double UniformDouble();
  // True with probability p (p <= 0: never, p >= 1: always). Consumes one draw either way.
  bool Bernoulli(double p);

 private:
  Rng() = default;
  std::array<uint64_t, 4> s_{};
};

}  // namespace tcpaas

#endif  // TCPAAS_STACK_BASE_RANDOM_H_
