// Kernel TCP sockets inside a network namespace (the sandbox's kernel side), for peers the
// tests control: listeners that never read, clients of the stack's listeners, RST senders.
#ifndef TCPAAS_TESTS_E2E_KERNEL_SOCKET_H_
#define TCPAAS_TESTS_E2E_KERNEL_SOCKET_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tcpaas::e2e {

// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset();

 private:
  int fd_ = -1;
};

// A listening socket on address:port opened inside namespace `netns`. `rcvbuf` > 0 sets
// SO_RCVBUF before listen (accepted sockets inherit it), so a peer that never reads closes
// its window early.
absl::StatusOr<Fd> ListenIn(const std::string& netns, const std::string& address, uint16_t port,
                            int rcvbuf = 0);

// Accepts one connection, waiting at most `timeout`.
absl::StatusOr<Fd> AcceptWithin(int listen_fd, absl::Duration timeout);

// Connects from inside `netns` to address:port, retrying refused attempts for `retry_for`
// (a listener announced over gRPC may take a moment to exist).
absl::StatusOr<Fd> ConnectIn(const std::string& netns, const std::string& address, uint16_t port,
                             absl::Duration retry_for = absl::Seconds(5));

// Sets SO_RCVTIMEO and SO_SNDTIMEO so no test blocks forever on a kernel socket.
void SetTimeouts(int fd, absl::Duration timeout);

absl::Status SendAll(int fd, absl::string_view data);
// Reads until EOF. Error on a socket error or timeout (SetTimeouts).
absl::StatusOr<std::string> ReadToEof(int fd);

// Closes with SO_LINGER {1, 0}: the kernel sends RST instead of FIN.
void CloseWithReset(Fd fd);

}  // namespace tcpaas::e2e

#endif  // TCPAAS_TESTS_E2E_KERNEL_SOCKET_H_
