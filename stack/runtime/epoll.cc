#include "stack/runtime/epoll.h"

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace tcpaas::runtime {
namespace {

constexpr size_t kMaxEvents = 16;

absl::Status Control(int epfd, int op, int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (epoll_ctl(epfd, op, fd, &ev) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("epoll_ctl(fd ", fd, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Epoll::Init() {
  const int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "epoll_create1");
  fd_.Reset(fd);
  return absl::OkStatus();
}

absl::Status Epoll::Add(int fd, uint32_t events, uint64_t tag) {
  return Control(fd_.get(), EPOLL_CTL_ADD, fd, events, tag);
}

absl::Status Epoll::Modify(int fd, uint32_t events, uint64_t tag) {
  return Control(fd_.get(), EPOLL_CTL_MOD, fd, events, tag);
}

absl::StatusOr<size_t> Epoll::Wait(absl::Span<Ready> out, int timeout_ms) {
  epoll_event events[kMaxEvents];
  const int max = static_cast<int>(out.size() < kMaxEvents ? out.size() : kMaxEvents);
  const int n = epoll_wait(fd_.get(), events, max, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return 0;
    return absl::ErrnoToStatus(errno, "epoll_wait");
  }
  for (int i = 0; i < n; ++i) out[i] = Ready{events[i].data.u64, events[i].events};
  return static_cast<size_t>(n);
}

}  // namespace tcpaas::runtime
