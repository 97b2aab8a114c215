#include "stack/runtime/command_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"

namespace tcpaas::runtime {

CommandQueue::CommandQueue(size_t limit) : limit_(limit) {}

absl::Status CommandQueue::Init() {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "eventfd for the stack thread's commands");
  event_fd_.Reset(fd);
  return absl::OkStatus();
}

void CommandQueue::Open() {
  absl::MutexLock lock(&mu_);
  open_ = true;
}

void CommandQueue::Close(std::string reason) {
  absl::MutexLock lock(&mu_);
  open_ = false;
  closed_reason_ = std::move(reason);
}

bool CommandQueue::is_open() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

size_t CommandQueue::size() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

absl::Status CommandQueue::Push(Command command, bool bounded) {
  bool was_empty;
  {
    absl::MutexLock lock(&mu_);
    if (!open_) return absl::FailedPreconditionError(closed_reason_);
    if (bounded && queue_.size() >= limit_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the stack thread's command queue is full (", limit_, " commands)"));
    }
    was_empty = queue_.empty();
    queue_.push_back(std::move(command));
  }
  // Only the push that makes the queue non-empty needs to wake the consumer: it has not
  // taken the queue since, or it would have found it empty.
  if (was_empty) Signal();
  return absl::OkStatus();
}

void CommandQueue::Wake() { Signal(); }

void CommandQueue::Signal() {
  const uint64_t one = 1;
  // Fails only if the counter would overflow (it cannot: the consumer resets it), or before
  // Init(); a lost signal there leaves nothing to wake.
  [[maybe_unused]] ssize_t n = ::write(event_fd_.get(), &one, sizeof(one));
}

void CommandQueue::TakeAll(std::vector<Command>* out) {
  // Clear the eventfd first and take the queue second: a push that lands after the swap
  // finds the queue empty and signals again.
  uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(event_fd_.get(), &count, sizeof(count));
  absl::MutexLock lock(&mu_);
  if (out->empty()) {
    out->swap(queue_);
  } else {
    for (Command& command : queue_) out->push_back(std::move(command));
    queue_.clear();
  }
}

}  // namespace tcpaas::runtime
