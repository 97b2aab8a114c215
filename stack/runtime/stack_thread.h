// The stack thread: one thread that owns a Host and its device and runs the event loop.
//
//   epoll_wait on { device fd (EPOLLIN; EPOLLOUT only while frames wait for room),
//                   eventfd of the command queue,
//                   timerfd armed (absolute, CLOCK_MONOTONIC) for the next deadline }
//   per wakeup: run queued commands -> read a batch of frames -> Poll -> flush -> re-arm timer
//
// Other threads never touch the Host: they Post() commands (or Call() and wait), which run on
// the stack thread. Nothing is locked while the stack works; the only lock on the path is the
// command queue's, held for one push or one swap.
//
// Device errors: kUnavailable on transmit keeps the frame queued (device full). Other errors
// are recorded (last_device_error()); transient ones (see device_error.h) let the loop go on,
// fatal ones, a hang-up of the device's fd, or a device that fails every receive
// (max_consecutive_rx_errors) stop it, and status() then says why.
//
// Stopping (Stop(), or a fatal error): the command queue closes, commands already queued still
// run (so no Call() waits forever), every connection and listener is aborted (RST, close
// events with kStackShutdown or the layer's reason), the RSTs are flushed once, and the thread
// ends. The Host stays alive with the StackThread: afterwards Call() runs on the caller's
// thread (serialized), so owners can still read stats and counters.
#ifndef TCPAAS_STACK_RUNTIME_STACK_THREAD_H_
#define TCPAAS_STACK_RUNTIME_STACK_THREAD_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/host/host.h"
#include "stack/link/device.h"
#include "stack/runtime/call_result.h"
#include "stack/runtime/clock.h"
#include "stack/runtime/command_queue.h"
#include "stack/runtime/deadline_timer.h"
#include "stack/runtime/epoll.h"
#include "stack/tcp/types.h"

namespace tcpaas::runtime {

struct StackThreadOptions {
  // Post() beyond this many waiting commands fails with kResourceExhausted.
  size_t command_queue_limit = 65536;
  // Frames read per wakeup before timers and transmission get their turn.
  size_t rx_batch = 256;
  // Devices without an fd (fd() == -1: memory links and fakes, meant for tests) cannot wake
  // the loop, so it polls them at least this often. Devices with an fd never use it.
  Duration fdless_poll_interval = Duration::Millis(1);
  // A device whose receive fails this many times in a row (no success between) has failed.
  int max_consecutive_rx_errors = 1000;
  std::string thread_name = "tcpaas-stack";  // at most 15 characters are kept
};

class StackThread {
 public:
  // The interface's MAC, when zero, is taken from the device; a zero TCP secret is filled from
  // the kernel's CSPRNG (getrandom). Start() fails if the device's link layer or MTU differs
  // from the interface's.
  StackThread(const HostConfig& config, std::unique_ptr<link::Device> device,
              const StackThreadOptions& options = {});
  ~StackThread();  // Stop()
  StackThread(const StackThread&) = delete;
  StackThread& operator=(const StackThread&) = delete;

  // Creates epoll/eventfd/timerfd and spawns the thread (which announces the interface).
  // kFailedPrecondition if already started or stopped; kInvalidArgument for a config that
  // does not match the device.
  absl::Status Start();
  // Stops and joins; idempotent. Called on the stack thread itself, it only asks the loop to
  // end after the current batch (the destructor joins).
  void Stop();

  // Runs fn on the stack thread soon, in order with other posts. Thread-safe.
  // kResourceExhausted when the command queue is full; kFailedPrecondition when the loop is
  // not running (not started, stopped, or failed: the message says which).
  absl::Status Post(Command fn);

  // Runs fn on the stack thread and waits for its result. Runs inline when called on the
  // stack thread (from a command or an event handler). When the loop is not running (before
  // Start(), after it ended) fn runs on the calling thread, serialized with the loop and
  // other such calls. Not bounded by the queue limit: each waiting caller adds one command.
  template <typename F>
  auto Call(F&& fn) -> std::invoke_result_t<F, Host&, Instant>;

  // True on the thread that currently runs the Host: the stack thread, or a caller inside
  // Call() while the loop is not running.
  bool OnStackThread() const;

  // The stack's time: the time of the wakeup being processed. Every call into the Host on the
  // stack thread must use it, never a fresh clock read, so that time never runs backwards for
  // the stack (a TCP timestamp older than one already sent fails the peer's PAWS check,
  // RFC 7323 §5). Event handlers, which get no `now`, read it here. Only meaningful on the
  // stack thread (OnStackThread()).
  Instant now() const { return now_.load(std::memory_order_relaxed); }

  // Receives the TCP layer's events on the stack thread. Set before Start() (allowed later;
  // it then takes effect through Call()).
  void SetTcpEventHandler(tcp::TcpEventHandler* handler);

  // A copy of the stack's counters, taken on the stack thread.
  StackCounters CountersSnapshot();

  // True from a successful Start() until the loop has ended.
  bool running() const { return running_.load(std::memory_order_acquire); }
  // OK unless the loop ended because of a failure (device or runtime): then that error.
  absl::Status status() const;
  // The most recent device error, transient or fatal (OK if none), and how many there were.
  absl::Status last_device_error() const;
  uint64_t device_error_count() const;
  // The configuration in effect (after the MAC and secret were filled in).
  const HostConfig& config() const { return config_; }

 private:
  // Marks the calling thread as the Host's owner for its lifetime.
  class OwnerScope {
   public:
    explicit OwnerScope(std::atomic<std::thread::id>& owner) : owner_(owner) {
      owner_.store(std::this_thread::get_id(), std::memory_order_release);
    }
    ~OwnerScope() { owner_.store(std::thread::id(), std::memory_order_release); }
    OwnerScope(const OwnerScope&) = delete;
    OwnerScope& operator=(const OwnerScope&) = delete;

   private:
    std::atomic<std::thread::id>& owner_;
  };

  template <typename F>
  auto RunWhileIdle(F& fn) -> std::invoke_result_t<F, Host&, Instant> {
    absl::MutexLock lock(&host_mu_);
    OwnerScope owner(owner_);
    return std::invoke(fn, host_, AdvanceClock());
  }
  // Moves now_ to the clock's time, never backwards, and returns it. Owner of the Host only.
  Instant AdvanceClock() {
    const Instant clock = MonotonicNow();
    if (clock > now()) now_.store(clock, std::memory_order_relaxed);
    return now();
  }

  absl::Status Setup();
  void Run();
  void RunCommands(Instant now);
  // Each returns false when the loop must stop (status_ is then set).
  bool ReceiveFrames(Instant now);
  bool FlushFrames(Instant now);
  bool UpdateInterest(int device_fd, uint32_t* interest);
  void RecordDeviceError(const absl::Status& error);
  void Fail(absl::Status error);
  void Shutdown(Instant now);

  const StackThreadOptions options_;
  const HostConfig config_;
  const absl::Status config_error_;
  std::unique_ptr<link::Device> device_;
  // Held by whoever runs the Host: the loop thread for its whole life, or a Call() made
  // while the loop is not running. Uncontended while the loop runs, since Call() takes it
  // only after the command queue has closed.
  absl::Mutex host_mu_;
  Host host_;
  std::atomic<std::thread::id> owner_{};
  // Written by the Host's owner only (see now()); atomic so a stray read elsewhere is benign.
  std::atomic<Instant> now_{Instant::Zero()};
  std::atomic<std::thread::id> loop_thread_id_{};

  CommandQueue commands_;
  DeadlineTimer timer_;
  Epoll epoll_;
  std::vector<Command> batch_;  // stack thread only: the commands of one wakeup
  int consecutive_rx_errors_ = 0;

  absl::Mutex lifecycle_mu_;  // Start() and Stop()
  bool started_ ABSL_GUARDED_BY(lifecycle_mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(lifecycle_mu_) = false;
  std::thread thread_ ABSL_GUARDED_BY(lifecycle_mu_);
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> running_{false};

  mutable absl::Mutex status_mu_;
  absl::Status status_ ABSL_GUARDED_BY(status_mu_);
  absl::Status last_device_error_ ABSL_GUARDED_BY(status_mu_);
  uint64_t device_errors_ ABSL_GUARDED_BY(status_mu_) = 0;
};

template <typename F>
auto StackThread::Call(F&& fn) -> std::invoke_result_t<F, Host&, Instant> {
  using Result = std::invoke_result_t<F, Host&, Instant>;
  if (OnStackThread()) return std::invoke(fn, host_, now());
  CallResult<Result> result;
  absl::Status queued = commands_.Push(
      [&fn, &result](Host& host, Instant now) { result.Run(fn, host, now); }, /*bounded=*/false);
  if (queued.ok()) return result.Wait();
  return RunWhileIdle(fn);
}

}  // namespace tcpaas::runtime

#endif  // TCPAAS_STACK_RUNTIME_STACK_THREAD_H_
