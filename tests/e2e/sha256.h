// SHA-256 of a byte stream (OpenSSL), for comparing what one end sent with what the other
// received.
#ifndef TCPAAS_TESTS_E2E_SHA256_H_
#define TCPAAS_TESTS_E2E_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace tcpaas::e2e {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view data);
  // Lower-case hex digest of everything added; the object may not be updated afterwards.
  std::string HexDigest();

  static std::string Of(absl::string_view data);

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace tcpaas::e2e

#endif  // TCPAAS_TESTS_E2E_SHA256_H_
