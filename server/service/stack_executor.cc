#include "server/service/stack_executor.h"

#include <memory>
#include <utility>

#include "stack/host/host.h"

namespace tcpaas::server {

StackExecutor::StackExecutor(runtime::StackThread* stack) : stack_(stack) {
  stack_->SetTcpEventHandler(this);
}

StackExecutor::~StackExecutor() = default;

absl::Status StackExecutor::TryRun(StackTask task) {
  return stack_->Post([this, task = std::move(task)](Host& host, Instant now) mutable {
    Guarded(host, now, [&] { task(host, now); });
  });
}

void StackExecutor::Run(StackTask task) {
  // Shared so that the task survives a refused Post() for the Call() fallback.
  auto shared = std::make_shared<StackTask>(std::move(task));
  absl::Status posted = stack_->Post([this, shared](Host& host, Instant now) {
    Guarded(host, now, [&] { (*shared)(host, now); });
  });
  if (posted.ok()) return;
  stack_->Call([this, shared](Host& host, Instant now) {
    Guarded(host, now, [&] { (*shared)(host, now); });
  });
}

void StackExecutor::Call(StackTask task) {
  stack_->Call(
      [this, &task](Host& host, Instant now) { Guarded(host, now, [&] { task(host, now); }); });
}

void StackExecutor::OnTcpEvent(const tcp::TcpEvent& event) {
  if (depth_ > 0) {
    deferred_.push_back(event);
    return;
  }
  // Inline: the handler runs on the stack thread, where Call() does not queue.
  stack_->Call([&](Host& host, Instant now) {
    Guarded(host, now, [&] {
      if (sink_) sink_(event, host, now);
    });
  });
}

void StackExecutor::Guarded(Host& host, Instant now, const std::function<void()>& fn) {
  ++depth_;
  fn();
  --depth_;
  if (depth_ == 0) DrainDeferred(host, now);
}

void StackExecutor::DrainDeferred(Host& host, Instant now) {
  ++depth_;
  while (!deferred_.empty()) {
    const tcp::TcpEvent event = deferred_.front();
    deferred_.pop_front();
    if (sink_) sink_(event, host, now);
  }
  --depth_;
}

}  // namespace tcpaas::server
