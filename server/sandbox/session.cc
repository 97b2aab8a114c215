#include "server/sandbox/session.h"

#include <sys/socket.h>

#include <cerrno>

#include "server/sandbox/http_session.h"
#include "server/sandbox/stream_sessions.h"

namespace tcpaas::server {

absl::string_view SandboxServiceName(SandboxService service) {
  switch (service) {
    case SandboxService::kEcho:
      return "echo";
    case SandboxService::kDiscard:
      return "discard";
    case SandboxService::kChargen:
      return "chargen";
    case SandboxService::kHttp:
      return "http";
  }
  return "?";
}

std::unique_ptr<Session> MakeSession(SandboxService service, uint64_t max_http_body_bytes) {
  switch (service) {
    case SandboxService::kEcho:
      return std::make_unique<EchoSession>();
    case SandboxService::kDiscard:
      return std::make_unique<DiscardSession>();
    case SandboxService::kChargen:
      return std::make_unique<ChargenSession>();
    case SandboxService::kHttp:
      return std::make_unique<HttpSession>(max_http_body_bytes);
  }
  return nullptr;
}

ssize_t ReadSome(int fd, void* buf, size_t len, bool* eof) {
  *eof = false;
  for (;;) {
    const ssize_t n = ::recv(fd, buf, len, 0);
    if (n > 0) return n;
    if (n == 0) {
      *eof = true;
      return -1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -1;
  }
}

ssize_t WriteSome(int fd, const void* buf, size_t len) {
  for (;;) {
    const ssize_t n = ::send(fd, buf, len, MSG_NOSIGNAL);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -1;
  }
}

}  // namespace tcpaas::server
