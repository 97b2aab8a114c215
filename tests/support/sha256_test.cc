#include "tests/support/sha256.h"

#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::test {
namespace {

absl::Span<const uint8_t> Bytes(std::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

struct Vector {
  std::string message;
  std::string digest_hex;
};

// FIPS 180-2 Appendix B ("abc", the 448-bit message, one million 'a'), the empty message, and
// lengths around the padding boundaries (55, 56, 63, 64, 119, 120 bytes; digests from
// coreutils sha256sum).
std::vector<Vector> KnownVectors() {
  return {
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
      {std::string(55, 'a'), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {std::string(56, 'a'), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {std::string(63, 'a'), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {std::string(64, 'a'), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {std::string(119, 'a'), "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {std::string(120, 'a'), "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
  };
}

TEST(Sha256Test, KnownVectorsInOneUpdate) {
  for (const Vector& v : KnownVectors()) {
    EXPECT_EQ(Sha256::Hex(Sha256::Of(Bytes(v.message))), v.digest_hex)
        << "message of " << v.message.size() << " bytes";
  }
}

// The digest must not depend on how the message is cut into Update() calls.
TEST(Sha256Test, KnownVectorsInUnevenPieces) {
  for (size_t piece : {1, 3, 63, 64, 65, 1000}) {
    for (const Vector& v : KnownVectors()) {
      Sha256 h;
      std::string_view rest = v.message;
      while (!rest.empty()) {
        size_t n = std::min(piece, rest.size());
        h.Update(Bytes(rest.substr(0, n)));
        rest.remove_prefix(n);
      }
      EXPECT_EQ(h.length(), v.message.size());
      EXPECT_EQ(Sha256::Hex(h.Finish()), v.digest_hex)
          << "message of " << v.message.size() << " bytes in pieces of " << piece;
    }
  }
}

}  // namespace
}  // namespace tcpaas::test
