#include "tests/e2e/kernel_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "stack/link/netns.h"

namespace tcpaas::e2e {
namespace {

absl::Status ErrnoError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

absl::StatusOr<sockaddr_in> ParseAddress(const std::string& address, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("not an IPv4 address: ", address));
  }
  return addr;
}

// A TCP socket created inside `netns`; it stays there for its whole life.
absl::StatusOr<Fd> SocketIn(const std::string& netns) {
  absl::StatusOr<std::unique_ptr<link::ScopedNetns>> in = link::ScopedNetns::Enter(netns);
  if (!in.ok()) return in.status();
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int saved_errno = errno;
  if (absl::Status left = (*in)->Leave(); !left.ok()) return left;
  if (fd.get() < 0) {
    errno = saved_errno;
    return ErrnoError("socket");
  }
  return fd;
}

}  // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

void Fd::reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

absl::StatusOr<Fd> ListenIn(const std::string& netns, const std::string& address, uint16_t port,
                            int rcvbuf) {
  absl::StatusOr<sockaddr_in> addr = ParseAddress(address, port);
  if (!addr.ok()) return addr.status();
  absl::StatusOr<Fd> fd = SocketIn(netns);
  if (!fd.ok()) return fd.status();
  const int one = 1;
  setsockopt(fd->get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (rcvbuf > 0) setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  if (bind(fd->get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) != 0) {
    return ErrnoError(absl::StrCat("bind ", address, ":", port, " in ", netns));
  }
  if (listen(fd->get(), 512) != 0) return ErrnoError("listen");
  return fd;
}

absl::StatusOr<Fd> AcceptWithin(int listen_fd, absl::Duration timeout) {
  pollfd p{listen_fd, POLLIN, 0};
  const int ready = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (ready < 0) return ErrnoError("poll");
  if (ready == 0) return absl::DeadlineExceededError("no connection to accept");
  Fd fd(accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("accept");
  return fd;
}

absl::StatusOr<Fd> ConnectIn(const std::string& netns, const std::string& address, uint16_t port,
                             absl::Duration retry_for) {
  absl::StatusOr<sockaddr_in> addr = ParseAddress(address, port);
  if (!addr.ok()) return addr.status();
  const absl::Time deadline = absl::Now() + retry_for;
  for (;;) {
    absl::StatusOr<Fd> fd = SocketIn(netns);
    if (!fd.ok()) return fd.status();
    if (connect(fd->get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) == 0) {
      return fd;
    }
    if (errno != ECONNREFUSED || absl::Now() > deadline) {
      return ErrnoError(absl::StrCat("connect to ", address, ":", port, " from ", netns));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void SetTimeouts(int fd, absl::Duration timeout) {
  const timeval tv = absl::ToTimeval(timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

absl::Status SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("send");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadToEof(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n == 0) return out;
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(absl::StrCat("recv after ", out.size(), " bytes"));
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

void CloseWithReset(Fd fd) {
  const linger l{1, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  fd.reset();
}

}  // namespace tcpaas::e2e
