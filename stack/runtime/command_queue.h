// The stack thread's inbox: a bounded multi-producer queue of commands plus an eventfd that
// is readable while commands wait. Producers hold the lock only to push; the stack thread
// takes the whole queue in one swap and runs it outside the lock.
#ifndef TCPAAS_STACK_RUNTIME_COMMAND_QUEUE_H_
#define TCPAAS_STACK_RUNTIME_COMMAND_QUEUE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "stack/base/time.h"
#include "stack/runtime/unique_fd.h"

namespace tcpaas {
class Host;
}  // namespace tcpaas

namespace tcpaas::runtime {

// Work for the stack thread: runs there with the Host and the time of the wakeup.
using Command = absl::AnyInvocable<void(Host&, Instant now)>;

class CommandQueue {
 public:
  explicit CommandQueue(size_t limit);
  CommandQueue(const CommandQueue&) = delete;
  CommandQueue& operator=(const CommandQueue&) = delete;

  // Creates the eventfd. The queue starts closed: Push() fails until Open().
  absl::Status Init();
  // Readable while commands are queued (or after Wake()).
  int fd() const { return event_fd_.get(); }
  size_t limit() const { return limit_; }

  void Open();
  // Refuses further pushes with kFailedPrecondition naming `reason`. Commands already queued
  // stay for a last TakeAll().
  void Close(std::string reason);
  bool is_open() const;
  size_t size() const;

  // Queues a command. kFailedPrecondition when closed; kResourceExhausted when `bounded` and
  // `limit` commands already wait. Unbounded pushes are for callers that block until their
  // command has run (each adds at most one entry).
  absl::Status Push(Command command, bool bounded = true);
  // Makes fd() readable without queueing anything (to wake the consumer).
  void Wake();
  // Consumer: clears fd()'s readiness, then moves every queued command to the end of *out.
  // Commands pushed after the eventfd was cleared are taken too or signal it again, so no
  // wakeup is lost.
  void TakeAll(std::vector<Command>* out);

 private:
  void Signal();

  const size_t limit_;
  UniqueFd event_fd_;
  mutable absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  std::string closed_reason_ ABSL_GUARDED_BY(mu_) = "the stack thread is not running";
  std::vector<Command> queue_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tcpaas::runtime

#endif  // TCPAAS_STACK_RUNTIME_COMMAND_QUEUE_H_
