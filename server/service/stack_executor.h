// How the service's code reaches the stack thread, and how TCP events reach the service.
//
// gRPC callbacks run on gRPC's threads; all service state (the registry, the reactors' stack
// side) lives on the stack thread. Work moves there as tasks:
//   TryRun()  at the start of an RPC: Post(), and a refusal (queue full, stack stopped) is the
//             RPC's error;
//   Run()     for everything after (a read or write completed, a cancellation, OnDone): it
//             must not be lost, so a refused Post() becomes a Call() (unbounded, waits; after
//             the loop ended it runs on the calling thread, serialized with other callers).
//
// Events: installed as the StackThread's TcpEventHandler. Service code is never re-entered:
// an event raised while a task or another event is being handled (the TCP layer delivers
// events from inside Send/Accept/Close calls) is queued and handed on when that work is done.
#ifndef TCPAAS_SERVER_SERVICE_STACK_EXECUTOR_H_
#define TCPAAS_SERVER_SERVICE_STACK_EXECUTOR_H_

#include <deque>
#include <functional>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "stack/base/time.h"
#include "stack/runtime/stack_thread.h"
#include "stack/tcp/types.h"

namespace tcpaas::server {

using StackTask = absl::AnyInvocable<void(Host& host, Instant now)>;
using EventSink = std::function<void(const tcp::TcpEvent& event, Host& host, Instant now)>;

class StackExecutor : public tcp::TcpEventHandler {
 public:
  // Installs itself as `stack`'s event handler; must outlive the stack thread's loop.
  explicit StackExecutor(runtime::StackThread* stack);
  ~StackExecutor() override;
  StackExecutor(const StackExecutor&) = delete;
  StackExecutor& operator=(const StackExecutor&) = delete;

  // Where events go. Set once, before the stack thread starts.
  void SetEventSink(EventSink sink) { sink_ = std::move(sink); }

  // Queues `task`; the error (kResourceExhausted, kFailedPrecondition) if refused.
  absl::Status TryRun(StackTask task);
  // Queues `task`, or runs it through Call() if the queue refuses. Never drops it. Must not
  // be called on the stack thread (gRPC never runs our reactions there).
  void Run(StackTask task);
  // Runs `task` as service code and waits for it (the daemon's drain). Not on the stack thread.
  void Call(StackTask task);

  // tcp::TcpEventHandler (stack thread).
  void OnTcpEvent(const tcp::TcpEvent& event) override;

  runtime::StackThread& stack() { return *stack_; }

 private:
  // Runs `fn` as service code: events raised meanwhile wait, then are handed on.
  void Guarded(Host& host, Instant now, const std::function<void()>& fn);
  void DrainDeferred(Host& host, Instant now);

  runtime::StackThread* stack_;
  EventSink sink_;
  int depth_ = 0;                       // stack thread only
  std::deque<tcp::TcpEvent> deferred_;  // stack thread only
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_STACK_EXECUTOR_H_
