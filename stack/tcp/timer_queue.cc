#include "stack/tcp/timer_queue.h"

namespace tcpaas::tcp {

void TimerQueue::Set(uint32_t key, Instant deadline) {
  if (deadline.is_never()) {
    Remove(key);
    return;
  }
  if (key >= position_.size()) position_.resize(key + 1, kAbsent);
  const uint32_t pos = position_[key];
  if (pos == kAbsent) {
    heap_.push_back({deadline, key});
    position_[key] = static_cast<uint32_t>(heap_.size() - 1);
    SiftUp(heap_.size() - 1);
    return;
  }
  const Instant old = heap_[pos].deadline;
  heap_[pos].deadline = deadline;
  if (deadline < old) {
    SiftUp(pos);
  } else if (old < deadline) {
    SiftDown(pos);
  }
}

void TimerQueue::Remove(uint32_t key) {
  if (key >= position_.size() || position_[key] == kAbsent) return;
  const size_t pos = position_[key];
  position_[key] = kAbsent;
  const Entry last = heap_.back();
  heap_.pop_back();
  if (pos == heap_.size()) return;  // it was the last entry
  Place(pos, last);
  SiftUp(pos);
  SiftDown(position_[last.key]);
}

Instant TimerQueue::DeadlineOf(uint32_t key) const {
  if (key >= position_.size() || position_[key] == kAbsent) return Instant::Never();
  return heap_[position_[key]].deadline;
}

void TimerQueue::Place(size_t i, Entry e) {
  heap_[i] = e;
  position_[e.key] = static_cast<uint32_t>(i);
}

void TimerQueue::SiftUp(size_t i) {
  const Entry e = heap_[i];
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!(e.deadline < heap_[parent].deadline)) break;
    Place(i, heap_[parent]);
    i = parent;
  }
  Place(i, e);
}

void TimerQueue::SiftDown(size_t i) {
  const Entry e = heap_[i];
  const size_t n = heap_.size();
  while (true) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].deadline < heap_[child].deadline) ++child;
    if (!(heap_[child].deadline < e.deadline)) break;
    Place(i, heap_[child]);
    i = child;
  }
  Place(i, e);
}

}  // namespace tcpaas::tcp
