#include "tests/e2e/http_get.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/kernel_socket.h"

namespace tcpaas::e2e {

absl::StatusOr<std::string> HttpGet(uint16_t port, const std::string& path) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  SetTimeouts(fd.get(), absl::Seconds(10));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::UnavailableError(
        absl::StrCat("connect 127.0.0.1:", port, ": ", std::strerror(errno)));
  }
  absl::Status sent =
      SendAll(fd.get(), absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"));
  if (!sent.ok()) return sent;
  return ReadToEof(fd.get());
}

std::map<std::string, double> ParseSamples(const std::string& exposition) {
  std::map<std::string, double> out;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == absl::string_view::npos) continue;
    const absl::string_view number = line.substr(space + 1);
    double value = 0;
    if (number == "+Inf") {
      value = INFINITY;
    } else if (!absl::SimpleAtod(number, &value)) {
      continue;
    }
    const std::string series(line.substr(0, space));
    out[series] = value;
  }
  return out;
}

}  // namespace tcpaas::e2e
