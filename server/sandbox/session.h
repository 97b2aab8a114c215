// One kernel-side connection of a sandbox service, driven by the services' epoll loop.
// Sockets are non-blocking; a session does what the socket allows and says what it waits for.
#ifndef TCPAAS_SERVER_SANDBOX_SESSION_H_
#define TCPAAS_SERVER_SANDBOX_SESSION_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/strings/string_view.h"

namespace tcpaas::server {

// What the session waits for next.
struct SessionInterest {
  bool read = false;
  bool write = false;
  bool done = false;  // close the socket and forget the session
};

class Session {
 public:
  virtual ~Session() = default;
  // Called when the socket is readable and/or writable (or has an error or hang-up).
  virtual SessionInterest OnReady(int fd, bool readable, bool writable) = 0;
  // What it waits for right after accept().
  virtual SessionInterest Initial() const = 0;
};

enum class SandboxService { kEcho, kDiscard, kChargen, kHttp };
absl::string_view SandboxServiceName(SandboxService service);

std::unique_ptr<Session> MakeSession(SandboxService service, uint64_t max_http_body_bytes);

// Socket helpers shared by the sessions: the byte count, 0 for would-block, -1 for an error
// or (reads) end of stream, which *eof tells apart.
ssize_t ReadSome(int fd, void* buf, size_t len, bool* eof);
ssize_t WriteSome(int fd, const void* buf, size_t len);

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SANDBOX_SESSION_H_
