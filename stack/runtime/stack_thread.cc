#include "stack/runtime/stack_thread.h"

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "stack/runtime/device_error.h"

namespace tcpaas::runtime {
namespace {

// epoll tags.
constexpr uint64_t kTagDevice = 1;
constexpr uint64_t kTagCommands = 2;
constexpr uint64_t kTagTimer = 3;

// Fills a zero TCP secret (RFC 6528 §3: the ISN function's key must be secret and random).
void FillSecret(std::array<uint64_t, 2>& secret) {
  if (secret[0] != 0 || secret[1] != 0) return;
  size_t filled = 0;
  auto* bytes = reinterpret_cast<uint8_t*>(secret.data());
  while (filled < sizeof(secret)) {
    const ssize_t n = getrandom(bytes + filled, sizeof(secret) - filled, 0);
    if (n > 0) {
      filled += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      break;
    }
  }
  if (filled < sizeof(secret)) {
    // getrandom(2) cannot fail on Linux >= 3.17 with these arguments; should it, the clock
    // and this object's address still differ between runs.
    secret[0] ^= static_cast<uint64_t>(MonotonicNow().nanos()) * 0x9e3779b97f4a7c15u;
    secret[1] ^= reinterpret_cast<uintptr_t>(&secret) * 0xbf58476d1ce4e5b9u;
  }
}

HostConfig EffectiveConfig(HostConfig config, const link::Device* device) {
  if (device != nullptr && config.interface.mac.is_zero()) config.interface.mac = device->mac();
  FillSecret(config.tcp.secret);
  return config;
}

absl::Status CheckConfig(const HostConfig& config, const link::Device* device) {
  if (device == nullptr) return absl::InvalidArgumentError("StackThread needs a device");
  if (device->link_layer() != config.interface.link_layer) {
    return absl::InvalidArgumentError(
        "the interface's link layer (Ethernet or IP) differs from the device's");
  }
  if (device->mtu() != config.interface.mtu) {
    return absl::InvalidArgumentError(absl::StrCat("the interface's MTU (", config.interface.mtu,
                                                   ") differs from the device's (", device->mtu(),
                                                   ")"));
  }
  return absl::OkStatus();
}

}  // namespace

StackThread::StackThread(const HostConfig& config, std::unique_ptr<link::Device> device,
                         const StackThreadOptions& options)
    : options_(options),
      config_(EffectiveConfig(config, device.get())),
      config_error_(CheckConfig(config_, device.get())),
      device_(std::move(device)),
      host_(config_),
      commands_(options.command_queue_limit) {}

StackThread::~StackThread() { Stop(); }

absl::Status StackThread::Start() {
  absl::MutexLock lock(&lifecycle_mu_);
  if (started_) return absl::FailedPreconditionError("StackThread::Start: already started");
  if (stopped_) return absl::FailedPreconditionError("StackThread::Start: already stopped");
  if (!config_error_.ok()) return config_error_;
  if (absl::Status s = Setup(); !s.ok()) return s;
  started_ = true;
  running_.store(true, std::memory_order_release);
  commands_.Open();
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

absl::Status StackThread::Setup() {
  if (absl::Status s = commands_.Init(); !s.ok()) return s;
  if (absl::Status s = timer_.Init(); !s.ok()) return s;
  if (absl::Status s = epoll_.Init(); !s.ok()) return s;
  if (absl::Status s = epoll_.Add(commands_.fd(), EPOLLIN, kTagCommands); !s.ok()) return s;
  if (absl::Status s = epoll_.Add(timer_.fd(), EPOLLIN, kTagTimer); !s.ok()) return s;
  if (device_->fd() >= 0) {
    if (absl::Status s = epoll_.Add(device_->fd(), EPOLLIN, kTagDevice); !s.ok()) return s;
  }
  return absl::OkStatus();
}

void StackThread::Stop() {
  stop_requested_.store(true, std::memory_order_release);
  commands_.Wake();
  // The loop cannot join itself: it ends after the current batch and the destructor joins.
  if (std::this_thread::get_id() == loop_thread_id_.load(std::memory_order_acquire)) return;
  absl::MutexLock lock(&lifecycle_mu_);
  stopped_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::Status StackThread::Post(Command fn) { return commands_.Push(std::move(fn)); }

bool StackThread::OnStackThread() const {
  return owner_.load(std::memory_order_acquire) == std::this_thread::get_id();
}

void StackThread::SetTcpEventHandler(tcp::TcpEventHandler* handler) {
  Call([handler](Host& host, Instant) { host.tcp().SetEventHandler(handler); });
}

StackCounters StackThread::CountersSnapshot() {
  return Call([](Host& host, Instant) { return host.counters(); });
}

absl::Status StackThread::status() const {
  absl::MutexLock lock(&status_mu_);
  return status_;
}

absl::Status StackThread::last_device_error() const {
  absl::MutexLock lock(&status_mu_);
  return last_device_error_;
}

uint64_t StackThread::device_error_count() const {
  absl::MutexLock lock(&status_mu_);
  return device_errors_;
}

void StackThread::Run() {
  absl::MutexLock host_lock(&host_mu_);
  OwnerScope owner(owner_);
  loop_thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
  pthread_setname_np(pthread_self(), options_.thread_name.substr(0, 15).c_str());

  const int device_fd = device_->fd();
  uint32_t interest = EPOLLIN;
  std::array<Epoll::Ready, 8> ready;
  bool commands_ready = true;
  bool device_readable = true;
  bool device_hung_up = false;
  host_.Start(AdvanceClock());

  while (true) {
    const Instant now = this->now();
    if (commands_ready) RunCommands(now);
    if (stop_requested_.load(std::memory_order_acquire)) break;
    if ((device_readable || device_fd < 0) && !ReceiveFrames(now)) break;
    if (device_hung_up) {
      // The frames still buffered have been read above.
      Fail(absl::UnavailableError("the device's file descriptor hung up (peer gone?)"));
      break;
    }
    device_->Poll(now);
    host_.Poll(now);
    if (!FlushFrames(now)) break;
    if (device_fd >= 0 && !UpdateInterest(device_fd, &interest)) break;

    Instant deadline = Earliest(host_.NextDeadline(), device_->NextDeadline());
    // Devices without an fd cannot wake us: poll them on a short tick (tests only).
    if (device_fd < 0) deadline = Earliest(deadline, now + options_.fdless_poll_interval);
    if (absl::Status s = timer_.Arm(deadline); !s.ok()) {
      Fail(std::move(s));
      break;
    }

    absl::StatusOr<size_t> n = epoll_.Wait(absl::MakeSpan(ready), /*timeout_ms=*/-1);
    if (!n.ok()) {
      Fail(n.status());
      break;
    }
    AdvanceClock();
    commands_ready = device_readable = false;
    for (size_t i = 0; i < *n; ++i) {
      switch (ready[i].tag) {
        case kTagDevice:
          // EPOLLOUT needs no action of its own: every wakeup flushes.
          device_readable = (ready[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
          device_hung_up = (ready[i].events & (EPOLLHUP | EPOLLERR)) != 0;
          break;
        case kTagCommands:
          commands_ready = true;
          break;
        case kTagTimer:
          timer_.Acknowledge();
          break;
      }
    }
  }
  Shutdown(AdvanceClock());
  loop_thread_id_.store(std::thread::id(), std::memory_order_release);
}

void StackThread::RunCommands(Instant now) {
  commands_.TakeAll(&batch_);
  for (Command& command : batch_) command(host_, now);
  batch_.clear();
}

bool StackThread::ReceiveFrames(Instant now) {
  absl::StatusOr<size_t> frames = host_.ReceiveFrom(*device_, now, options_.rx_batch);
  if (frames.ok()) {
    consecutive_rx_errors_ = 0;
    return true;
  }
  RecordDeviceError(frames.status());
  if (IsFatalDeviceError(frames.status())) {
    Fail(frames.status());
    return false;
  }
  if (++consecutive_rx_errors_ >= options_.max_consecutive_rx_errors) {
    Fail(absl::UnavailableError(
        absl::StrCat("the device failed ", consecutive_rx_errors_,
                     " receives in a row; last: ", frames.status().ToString())));
    return false;
  }
  return true;
}

bool StackThread::FlushFrames(Instant now) {
  absl::Status flushed = host_.FlushTo(*device_, now);
  if (flushed.ok()) return true;
  RecordDeviceError(flushed);
  if (!IsFatalDeviceError(flushed)) return true;
  Fail(std::move(flushed));
  return false;
}

bool StackThread::UpdateInterest(int device_fd, uint32_t* interest) {
  // EPOLLOUT only while frames wait because the device was full; otherwise it would wake us
  // all the time.
  const uint32_t wanted = host_.tx_queue_size() > 0 ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
  if (wanted == *interest) return true;
  if (absl::Status s = epoll_.Modify(device_fd, wanted, kTagDevice); !s.ok()) {
    Fail(std::move(s));
    return false;
  }
  *interest = wanted;
  return true;
}

void StackThread::RecordDeviceError(const absl::Status& error) {
  absl::MutexLock lock(&status_mu_);
  last_device_error_ = error;
  ++device_errors_;
}

void StackThread::Fail(absl::Status error) {
  absl::MutexLock lock(&status_mu_);
  status_ = std::move(error);
}

void StackThread::Shutdown(Instant now) {
  const absl::Status failure = status();
  commands_.Close(failure.ok() ? "the stack thread has stopped"
                               : absl::StrCat("the stack thread has stopped after a failure: ",
                                              failure.ToString()));
  // Commands queued before the close still run: Call() waits for them.
  RunCommands(now);
  host_.tcp().AbortAll(now);
  // Best effort: the RSTs of the aborted connections.
  host_.FlushTo(*device_, now).IgnoreError();
  running_.store(false, std::memory_order_release);
}

}  // namespace tcpaas::runtime
