#include "server/service/connection_id.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace tcpaas::server {

std::string NewConnectionId() {
  std::array<uint8_t, kConnectionIdBits / 8> bits{};
  size_t filled = 0;
  while (filled < bits.size()) {
    const ssize_t n = getrandom(bits.data() + filled, bits.size() - filled, 0);
    if (n > 0) {
      filled += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      // getrandom(2) with these arguments only fails on kernels older than 3.17. An id that
      // could be guessed is worse than no service: stop rather than hand out a weak one.
      std::fprintf(stderr, "tcpaasd: getrandom failed (errno %d); cannot make connection ids\n",
                   errno);
      std::abort();
    }
  }
  return FormatConnectionId(bits);
}

std::string FormatConnectionId(const std::array<uint8_t, kConnectionIdBits / 8>& bits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(kConnectionIdLength);
  for (uint8_t b : bits) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0xf]);
  }
  return id;
}

bool LooksLikeConnectionId(absl::string_view id) {
  if (id.size() != kConnectionIdLength) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace tcpaas::server
