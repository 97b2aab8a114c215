// Test helper: blocking kernel sockets opened inside a network namespace, for the tests that
// talk to the sandbox's services or to tcpaasd's stack from the kernel side. Header-only so
// that it stays out of the server library.
#ifndef TCPAAS_SERVER_TESTING_KERNEL_PEER_H_
#define TCPAAS_SERVER_TESTING_KERNEL_PEER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "stack/link/netns.h"
#include "stack/wire/addr.h"

namespace tcpaas::server::test_util {

class KernelPeer {
 public:
  KernelPeer() = default;
  explicit KernelPeer(int fd) : fd_(fd) {}
  KernelPeer(KernelPeer&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  KernelPeer& operator=(KernelPeer&& o) noexcept {
    if (this != &o) {
      Close();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~KernelPeer() { Close(); }

  // A socket made inside `netns` ("" for the caller's), connected to `to`. Reads and writes
  // give up after `timeout_s` seconds without progress.
  static absl::StatusOr<KernelPeer> Connect(const std::string& netns, const Endpoint& to,
                                            int timeout_s = 10) {
    auto fd = Socket(netns, timeout_s);
    if (!fd.ok()) return fd.status();
    KernelPeer peer(*fd);
    sockaddr_in addr = Addr(to);
    if (::connect(peer.fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      return absl::UnavailableError(absl::StrCat("connect ", to.ToString(), ": ", strerror(errno)));
    }
    return peer;
  }

  static absl::StatusOr<KernelPeer> Listen(const std::string& netns, const Endpoint& at,
                                           int timeout_s = 10) {
    auto fd = Socket(netns, timeout_s);
    if (!fd.ok()) return fd.status();
    KernelPeer peer(*fd);
    const int one = 1;
    ::setsockopt(peer.fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr = Addr(at);
    if (::bind(peer.fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(peer.fd_, 16) != 0) {
      return absl::UnavailableError(absl::StrCat("listen ", at.ToString(), ": ", strerror(errno)));
    }
    return peer;
  }

  absl::StatusOr<KernelPeer> Accept(int timeout_s = 10) {
    const int fd = ::accept(fd_, nullptr, nullptr);
    if (fd < 0) return absl::DeadlineExceededError(absl::StrCat("accept: ", strerror(errno)));
    SetTimeout(fd, timeout_s);
    return KernelPeer(fd);
  }

  absl::Status WriteAll(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return absl::UnavailableError(absl::StrCat("send: ", strerror(errno)));
      done += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

  // Up to `max` bytes (fewer at EOF); an error on timeout or failure.
  absl::StatusOr<std::string> Read(size_t max) {
    std::string out(max, '\0');
    size_t done = 0;
    while (done < max) {
      const ssize_t n = ::recv(fd_, out.data() + done, max - done, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) break;
      if (n < 0) return absl::DeadlineExceededError(absl::StrCat("recv: ", strerror(errno)));
      done += static_cast<size_t>(n);
    }
    out.resize(done);
    return out;
  }
  // Everything until EOF.
  absl::StatusOr<std::string> ReadToEof() {
    std::string all;
    for (;;) {
      auto part = Read(65536);
      if (!part.ok()) return part.status();
      if (part->empty()) return all;
      all += *part;
    }
  }

  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }
  // Closes with RST (SO_LINGER 0).
  void Reset() {
    linger l{.l_onoff = 1, .l_linger = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    Close();
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }

 private:
  static sockaddr_in Addr(const Endpoint& e) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(e.port.value());
    addr.sin_addr.s_addr = htonl(e.addr.value());
    return addr;
  }
  static void SetTimeout(int fd, int timeout_s) {
    timeval tv{.tv_sec = timeout_s, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }
  static absl::StatusOr<int> Socket(const std::string& netns, int timeout_s) {
    std::unique_ptr<link::ScopedNetns> inside;
    if (!netns.empty()) {
      auto entered = link::ScopedNetns::Enter(netns);
      if (!entered.ok()) return entered.status();
      inside = *std::move(entered);
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
    SetTimeout(fd, timeout_s);
    return fd;
  }

  int fd_ = -1;
};

}  // namespace tcpaas::server::test_util

#endif  // TCPAAS_SERVER_TESTING_KERNEL_PEER_H_
