// A thin epoll(7) wrapper for the stack thread: level-triggered interest in a few fds, each
// tagged with a small integer the caller chooses.
#ifndef TCPAAS_STACK_RUNTIME_EPOLL_H_
#define TCPAAS_STACK_RUNTIME_EPOLL_H_

#include <sys/epoll.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/runtime/unique_fd.h"

namespace tcpaas::runtime {

class Epoll {
 public:
  struct Ready {
    uint64_t tag = 0;
    uint32_t events = 0;  // EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP
  };

  Epoll() = default;
  Epoll(const Epoll&) = delete;
  Epoll& operator=(const Epoll&) = delete;

  absl::Status Init();
  absl::Status Add(int fd, uint32_t events, uint64_t tag);
  absl::Status Modify(int fd, uint32_t events, uint64_t tag);
  // Waits up to `timeout_ms` (-1: forever) and fills `out`; returns how many are ready.
  // EINTR counts as zero ready.
  absl::StatusOr<size_t> Wait(absl::Span<Ready> out, int timeout_ms);

 private:
  UniqueFd fd_;
};

}  // namespace tcpaas::runtime

#endif  // TCPAAS_STACK_RUNTIME_EPOLL_H_
