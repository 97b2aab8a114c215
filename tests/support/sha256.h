// SHA-256 (FIPS 180-4, same function as FIPS 180-2) for comparing what one end of a
// connection sent with what the other end received. Test support only: not constant-time and
// not meant for anything secret.
#ifndef TCPAAS_TESTS_SUPPORT_SHA256_H_
#define TCPAAS_TESTS_SUPPORT_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/types/span.h"

namespace tcpaas::test {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();

  // Adds bytes to the message. May be called any number of times before Finish().
  void Update(absl::Span<const uint8_t> data);
  // Pads the message (FIPS 180-4 §5.1.1) and returns the digest. The object must not be
  // updated afterwards.
  Digest Finish();

  // Total message length so far, in bytes.
  uint64_t length() const { return length_; }

  static Digest Of(absl::Span<const uint8_t> data);
  static std::string Hex(const Digest& digest);

 private:
  void Compress(const uint8_t* block);  // FIPS 180-4 §6.2.2

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> block_{};
  size_t block_used_ = 0;
  uint64_t length_ = 0;
};

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_SHA256_H_
