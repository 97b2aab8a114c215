#include "tests/support/kernel_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stack/link/netns.h"

namespace tcpaas::test {
namespace {

sockaddr_in ToSockaddr(Endpoint e) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(e.port.value());
  sa.sin_addr.s_addr = htonl(e.addr.value());
  return sa;
}

absl::Status Errno(const std::string& what) {
  int err = errno;
  std::string msg = absl::StrCat(what, ": ", std::strerror(err));
  switch (err) {
    case EAGAIN:
    case EINPROGRESS:
      return absl::DeadlineExceededError(absl::StrCat(msg, " (kernel socket timeout)"));
    case ECONNRESET:
    case EPIPE:
      return absl::AbortedError(msg);
    case ECONNREFUSED:
      return absl::UnavailableError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace

KernelSocket::KernelSocket(KernelSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), io_timeout_(other.io_timeout_) {}

KernelSocket& KernelSocket::operator=(KernelSocket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    io_timeout_ = other.io_timeout_;
  }
  return *this;
}

KernelSocket::~KernelSocket() { Close(); }

void KernelSocket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::StatusOr<KernelSocket> KernelSocket::Open(std::string_view netns, Duration io_timeout) {
  // Only the socket() call has to happen inside the namespace: the socket belongs to the
  // namespace it was created in for the rest of its life.
  auto inside = link::ScopedNetns::Enter(netns);
  if (!inside.ok()) return inside.status();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  KernelSocket s(fd, io_timeout);
  if (absl::Status st = s.SetTimeouts(); !st.ok()) return st;
  return s;
}

absl::Status KernelSocket::SetTimeouts() {
  timeval tv{};
  tv.tv_sec = io_timeout_.nanos() / 1000000000;
  tv.tv_usec = (io_timeout_.nanos() % 1000000000) / 1000;
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
    return Errno("setsockopt(SO_RCVTIMEO)");
  }
  if (::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
    return Errno("setsockopt(SO_SNDTIMEO)");
  }
  return absl::OkStatus();
}

absl::StatusOr<KernelSocket> KernelSocket::Listen(std::string_view netns, Endpoint local,
                                                  int backlog, Duration io_timeout) {
  auto s = Open(netns, io_timeout);
  if (!s.ok()) return s.status();
  int one = 1;
  ::setsockopt(s->fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in sa = ToSockaddr(local);
  if (::bind(s->fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    return Errno(absl::StrCat("bind ", local.ToString()));
  }
  if (::listen(s->fd_, backlog) != 0) return Errno("listen");
  return s;
}

absl::StatusOr<KernelSocket> KernelSocket::Connect(std::string_view netns, Endpoint remote,
                                                   Duration io_timeout) {
  auto s = Open(netns, io_timeout);
  if (!s.ok()) return s.status();
  sockaddr_in sa = ToSockaddr(remote);
  // A blocking connect() gives up after SO_SNDTIMEO with EINPROGRESS.
  int rc;
  do {
    rc = ::connect(s->fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return Errno(absl::StrCat("kernel connect to ", remote.ToString()));
  return s;
}

absl::StatusOr<KernelSocket> KernelSocket::Accept() {
  int fd;
  do {
    fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Errno("kernel accept");
  KernelSocket s(fd, io_timeout_);
  if (absl::Status st = s.SetTimeouts(); !st.ok()) return st;
  return s;
}

absl::StatusOr<size_t> KernelSocket::ReadSome(absl::Span<uint8_t> out) {
  ssize_t n;
  do {
    n = ::recv(fd_, out.data(), out.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Errno("kernel recv");
  return static_cast<size_t>(n);
}

absl::StatusOr<std::string> KernelSocket::ReadLine(size_t max) {
  std::string line;
  while (line.size() < max) {
    uint8_t c;
    auto n = ReadSome(absl::MakeSpan(&c, 1));
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    line.push_back(static_cast<char>(c));
    if (c == '\n') break;
  }
  return line;
}

absl::Status KernelSocket::WriteAll(absl::Span<const uint8_t> data, size_t* written) {
  size_t done = 0;
  absl::Status status;
  while (done < data.size()) {
    ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Errno("kernel send");
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (written != nullptr) *written = done;
  return status;
}

absl::Status KernelSocket::ShutdownWrite() {
  if (::shutdown(fd_, SHUT_WR) != 0) return Errno("kernel shutdown(SHUT_WR)");
  return absl::OkStatus();
}

absl::Status KernelSocket::SetAbortOnClose() {
  linger l{};
  l.l_onoff = 1;
  l.l_linger = 0;
  if (::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) != 0) {
    return Errno("setsockopt(SO_LINGER)");
  }
  return absl::OkStatus();
}

absl::StatusOr<Port> KernelSocket::LocalPort() const {
  sockaddr_in sa{};
  socklen_t len = sizeof(sa);
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    return Errno("getsockname");
  }
  return Port(ntohs(sa.sin_port));
}

absl::StatusOr<tcp_info> KernelSocket::TcpInfo() const {
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
    return Errno("getsockopt(TCP_INFO)");
  }
  return info;
}

std::string KernelSocket::InfoString() const {
  auto got = TcpInfo();
  if (!got.ok()) return std::string(got.status().message());
  const tcp_info& info = *got;
  return absl::StrFormat(
      "kernel: state=%d rtt=%uus rto=%uus snd_cwnd=%u retrans=%u total_retrans=%u "
      "unacked=%u lost=%u snd_mss=%u rcv_mss=%u",
      info.tcpi_state, info.tcpi_rtt, info.tcpi_rto, info.tcpi_snd_cwnd, info.tcpi_retrans,
      info.tcpi_total_retrans, info.tcpi_unacked, info.tcpi_lost, info.tcpi_snd_mss,
      info.tcpi_rcv_mss);
}

}  // namespace tcpaas::test
