#include "tools/demo/kernel_echo_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "stack/link/netns.h"

namespace tcpaas::demo {
namespace {

// How often the serving thread looks at the stop flag.
constexpr int kPollMillis = 200;
// A connection idle this long is dropped, so one silent client cannot hold the server.
constexpr int kIdleMillis = 30'000;

}  // namespace

absl::StatusOr<std::unique_ptr<KernelEchoServer>> KernelEchoServer::Start(const std::string& netns,
                                                                          Endpoint listen_at) {
  int fd;
  {
    absl::StatusOr<std::unique_ptr<link::ScopedNetns>> inside = link::ScopedNetns::Enter(netns);
    if (!inside.ok()) return inside.status();
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::ErrnoToStatus(errno, "socket (kernel echo server)");
  }  // back in our own namespace; the socket stays in the sandbox
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(listen_at.port.value());
  addr.sin_addr.s_addr = htonl(listen_at.addr.value());
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 16) != 0) {
    const int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, absl::StrCat("kernel echo server on ", listen_at.ToString()));
  }
  return std::unique_ptr<KernelEchoServer>(new KernelEchoServer(fd));
}

KernelEchoServer::KernelEchoServer(int listen_fd) : listen_fd_(listen_fd) {
  thread_ = std::thread([this] { Serve(); });
}

KernelEchoServer::~KernelEchoServer() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

void KernelEchoServer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, kPollMillis) <= 0) continue;
    const int conn = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    // A reader that never reads must not block the thread forever.
    const timeval send_timeout{5, 0};
    setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
    ++served_;
    Echo(conn);
    close(conn);
  }
}

void KernelEchoServer::Echo(int fd) {
  char buf[16 * 1024];
  int idle = 0;
  while (!stop_ && idle < kIdleMillis) {
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, kPollMillis);
    if (ready == 0) {
      idle += kPollMillis;
      continue;
    }
    if (ready < 0) return;
    idle = 0;
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) return;  // EOF or error
    for (ssize_t off = 0; off < n;) {
      const ssize_t w = write(fd, buf + off, static_cast<size_t>(n - off));
      if (w <= 0) return;
      off += w;
    }
  }
}

}  // namespace tcpaas::demo
