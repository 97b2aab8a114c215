// The hand-over between StackThread::Call's caller and the stack thread: the stack thread
// stores the result and notifies; the caller waits and takes it.
#ifndef TCPAAS_STACK_RUNTIME_CALL_RESULT_H_
#define TCPAAS_STACK_RUNTIME_CALL_RESULT_H_

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/synchronization/notification.h"
#include "stack/base/time.h"

namespace tcpaas {
class Host;
}  // namespace tcpaas

namespace tcpaas::runtime {

template <typename R>
class CallResult {
 public:
  static_assert(!std::is_reference_v<R>, "StackThread::Call returns values, not references");

  template <typename F>
  void Run(F& fn, Host& host, Instant now) {
    value_.emplace(std::invoke(fn, host, now));
    done_.Notify();
  }
  R Wait() {
    done_.WaitForNotification();
    return std::move(*value_);
  }

 private:
  std::optional<R> value_;
  absl::Notification done_;
};

template <>
class CallResult<void> {
 public:
  template <typename F>
  void Run(F& fn, Host& host, Instant now) {
    std::invoke(fn, host, now);
    done_.Notify();
  }
  void Wait() { done_.WaitForNotification(); }

 private:
  absl::Notification done_;
};

}  // namespace tcpaas::runtime

#endif  // TCPAAS_STACK_RUNTIME_CALL_RESULT_H_
