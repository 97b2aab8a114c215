// The layer's schedule: one deadline per connection slot in an indexed binary min-heap.
// Earliest() is O(1); Set() and Remove() are O(log n) (decrease-key and increase-key in
// place), so a connection that re-arms its timers on every ACK never costs a scan of all
// connections. The heap's storage grows with the number of slots ever used and is reused;
// steady-state updates allocate nothing.
#ifndef TCPAAS_STACK_TCP_TIMER_QUEUE_H_
#define TCPAAS_STACK_TCP_TIMER_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stack/base/time.h"

namespace tcpaas::tcp {

class TimerQueue {
 public:
  // Sets the deadline of `key` (inserting it if absent). Instant::Never() removes it.
  void Set(uint32_t key, Instant deadline);
  void Remove(uint32_t key);

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  // The earliest deadline, Instant::Never() when empty.
  Instant Earliest() const { return heap_.empty() ? Instant::Never() : heap_.front().deadline; }
  // The key holding Earliest(); only when !empty().
  uint32_t EarliestKey() const { return heap_.front().key; }
  // The deadline of `key`, Instant::Never() when absent.
  Instant DeadlineOf(uint32_t key) const;

 private:
  static constexpr uint32_t kAbsent = UINT32_MAX;
  struct Entry {
    Instant deadline;
    uint32_t key;
  };

  void Place(size_t i, Entry e);  // writes e at heap position i and records its position
  void SiftUp(size_t i);
  void SiftDown(size_t i);

  std::vector<Entry> heap_;
  std::vector<uint32_t> position_;  // heap index by key, kAbsent when not queued
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_TIMER_QUEUE_H_
