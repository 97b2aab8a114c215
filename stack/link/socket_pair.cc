#include "stack/link/socket_pair.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "stack/wire/ethernet.h"

namespace tcpaas::link {
namespace {

// Asked for, not guaranteed: the kernel caps it at net.core.wmem_max.
constexpr int kSendBufferBytes = 4 << 20;

class SocketPairEnd : public Device {
 public:
  SocketPairEnd(int fd, size_t mtu, MacAddress mac) : fd_(fd), mtu_(mtu), mac_(mac) {}
  ~SocketPairEnd() override { close(fd_); }
  SocketPairEnd(const SocketPairEnd&) = delete;
  SocketPairEnd& operator=(const SocketPairEnd&) = delete;

  LinkLayer link_layer() const override { return LinkLayer::kEthernet; }
  size_t mtu() const override { return mtu_; }
  MacAddress mac() const override { return mac_; }
  int fd() const override { return fd_; }

  absl::StatusOr<size_t> Receive(absl::Span<uint8_t> buf, Instant now) override {
    while (true) {
      // A datagram longer than buf is truncated; the rest of it is discarded by the kernel.
      const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
      if (n > 0) return std::min(static_cast<size_t>(n), buf.size());
      // Transmit refuses empty frames, so a zero-length read can only mean end of stream.
      if (n == 0)
        return absl::FailedPreconditionError("socket-pair link: the other end was closed");
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return absl::InternalError(absl::StrCat("socket-pair link: recv: ", std::strerror(errno)));
    }
  }

  absl::Status Transmit(absl::Span<const uint8_t> frame, Instant now) override {
    if (frame.empty() || frame.size() > mtu_ + wire::kEthernetHeaderSize) {
      return absl::InvalidArgumentError(absl::StrCat("socket-pair link: frame of ", frame.size(),
                                                     " bytes; the link carries 1..",
                                                     mtu_ + wire::kEthernetHeaderSize));
    }
    while (true) {
      if (send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL) >= 0) return absl::OkStatus();
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        return absl::UnavailableError("socket-pair link: send buffer full");
      }
      if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN) {
        return absl::FailedPreconditionError("socket-pair link: the other end was closed");
      }
      return absl::InternalError(absl::StrCat("socket-pair link: send: ", std::strerror(errno)));
    }
  }

 private:
  int fd_;
  size_t mtu_;
  MacAddress mac_;
};

}  // namespace

absl::StatusOr<std::pair<std::unique_ptr<Device>, std::unique_ptr<Device>>> CreateSocketPairLink(
    size_t mtu, MacAddress a, MacAddress b) {
  if (mtu == 0) return absl::InvalidArgumentError("socket-pair link: MTU must be positive");
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    return absl::UnavailableError(
        absl::StrCat("socketpair(AF_UNIX, SOCK_SEQPACKET): ", std::strerror(errno)));
  }
  for (int fd : fds) {
    // Best effort: a larger buffer only means fewer kUnavailable results under bursts.
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSendBufferBytes, sizeof(kSendBufferBytes));
  }
  return std::make_pair(std::unique_ptr<Device>(new SocketPairEnd(fds[0], mtu, a)),
                        std::unique_ptr<Device>(new SocketPairEnd(fds[1], mtu, b)));
}

}  // namespace tcpaas::link
