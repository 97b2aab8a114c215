#include "server/sandbox/sandbox_services.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stack/link/netns.h"

namespace tcpaas::server {
namespace {

// epoll data for the wake-up eventfd; sockets use their fd (never this value).
constexpr uint64_t kWakeTag = ~uint64_t{0};

std::string Errno(absl::string_view what) { return absl::StrCat(what, ": ", std::strerror(errno)); }

absl::StatusOr<int> ListenOn(Ipv4Address address, uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(Errno("socket"));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(address.value());
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 128) != 0) {
    const std::string error = Errno(absl::StrCat("listen on ", address.ToString(), ":", port));
    ::close(fd);
    return absl::UnavailableError(error);
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SandboxServices>> SandboxServices::Start(
    const SandboxServicesOptions& options) {
  std::unique_ptr<SandboxServices> services(new SandboxServices(options));
  if (absl::Status s = services->Open(); !s.ok()) return s;  // the destructor closes the rest
  services->thread_ = std::thread([raw = services.get()] { raw->Run(); });
  return services;
}

absl::Status SandboxServices::Open() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return absl::InternalError(Errno("epoll_create1"));
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return absl::InternalError(Errno("eventfd"));
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.u64 = kWakeTag;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0) {
    return absl::InternalError(Errno("epoll_ctl"));
  }

  std::unique_ptr<link::ScopedNetns> inside;
  if (!options_.netns.empty()) {
    auto entered = link::ScopedNetns::Enter(options_.netns);
    if (!entered.ok()) return entered.status();
    inside = *std::move(entered);
  }
  const std::pair<SandboxService, uint16_t> wanted[] = {
      {SandboxService::kEcho, options_.echo_port},
      {SandboxService::kDiscard, options_.discard_port},
      {SandboxService::kChargen, options_.chargen_port},
      {SandboxService::kHttp, options_.http_port},
  };
  for (const auto& [service, port] : wanted) {
    if (port == 0) continue;
    absl::StatusOr<int> fd = ListenOn(options_.address, port);
    if (!fd.ok()) {
      return absl::Status(fd.status().code(), absl::StrCat("sandbox ", SandboxServiceName(service),
                                                           " service: ", fd.status().message()));
    }
    listeners_.push_back(Listener{.fd = *fd, .service = service, .port = port});
  }
  if (inside != nullptr) {
    if (absl::Status s = inside->Leave(); !s.ok()) return s;
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(listeners_[i].fd);
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listeners_[i].fd, &ev) != 0) {
      return absl::InternalError(Errno("epoll_ctl"));
    }
  }
  return absl::OkStatus();
}

SandboxServices::~SandboxServices() { Stop(); }

void SandboxServices::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)::write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  for (auto& [fd, connection] : sessions_) ::close(fd);
  sessions_.clear();
  connections_.store(0, std::memory_order_relaxed);
  for (const Listener& l : listeners_) ::close(l.fd);
  listeners_.clear();
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  wake_fd_ = epoll_fd_ = -1;
}

std::string SandboxServices::Describe() const {
  std::vector<std::string> parts;
  for (const Listener& l : listeners_) {
    parts.push_back(absl::StrCat(SandboxServiceName(l.service), " ", l.port));
  }
  return absl::StrJoin(parts, ", ");
}

void SandboxServices::Run() {
  pthread_setname_np(pthread_self(), "tcpaas-sandbox");
  epoll_event events[64];
  for (;;) {
    const int n = ::epoll_wait(epoll_fd_, events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kWakeTag) return;
      const int fd = static_cast<int>(tag);
      bool is_listener = false;
      for (const Listener& l : listeners_) {
        if (l.fd == fd) {
          Accept(l);
          is_listener = true;
          break;
        }
      }
      if (!is_listener) Serve(fd, events[i].events);
    }
  }
}

void SandboxServices::Accept(const Listener& listener) {
  for (;;) {
    const int fd = ::accept4(listener.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or an error of that one connection
    if (sessions_.size() >= options_.max_connections) {
      ::close(fd);  // bounded: refuse rather than grow
      continue;
    }
    Connection& connection = sessions_[fd];
    connection.session = MakeSession(listener.service, options_.max_http_body_bytes);
    connections_.store(sessions_.size(), std::memory_order_relaxed);
    epoll_event ev{};
    ev.data.u64 = static_cast<uint64_t>(fd);
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      Drop(fd);
      continue;
    }
    // Try at once: a chargen session can start writing, an echo may have data already.
    const SessionInterest first = connection.session->Initial();
    Apply(fd, connection, first.write ? connection.session->OnReady(fd, false, true) : first);
  }
}

void SandboxServices::Serve(int fd, uint32_t events) {
  auto it = sessions_.find(fd);
  if (it == sessions_.end()) return;
  Connection& connection = it->second;
  const bool readable = (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) != 0;
  const bool writable = (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
  Apply(fd, connection, connection.session->OnReady(fd, readable, writable));
}

void SandboxServices::Apply(int fd, Connection& connection, const SessionInterest& interest) {
  if (interest.done || (!interest.read && !interest.write)) {
    Drop(fd);
    return;
  }
  const uint32_t wanted = (interest.read ? EPOLLIN : 0u) | (interest.write ? EPOLLOUT : 0u);
  if (wanted == connection.events) return;
  epoll_event ev{};
  ev.events = wanted;
  ev.data.u64 = static_cast<uint64_t>(fd);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0) {
    Drop(fd);
    return;
  }
  connection.events = wanted;
}

void SandboxServices::Drop(int fd) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  sessions_.erase(fd);
  connections_.store(sessions_.size(), std::memory_order_relaxed);
}

}  // namespace tcpaas::server
