// Objects addressed by ConnId: a vector of slots, each with a generation, so a handle whose
// slot was freed and reused fails the lookup instead of reaching the new occupant. Freed
// slots are reused first; generations come from a counter the caller shares between tables,
// so an id from one table never matches a slot of another.
#ifndef TCPAAS_STACK_TCP_SLOT_TABLE_H_
#define TCPAAS_STACK_TCP_SLOT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/functional/function_ref.h"
#include "stack/tcp/types.h"

namespace tcpaas::tcp {

// Hands out generations: never 0, so ConnId{} stays invalid.
class GenerationCounter {
 public:
  uint32_t Next() {
    if (++last_ == 0) ++last_;
    return last_;
  }

 private:
  uint32_t last_ = 0;
};

template <typename T>
class SlotTable {
 public:
  explicit SlotTable(GenerationCounter* generations) : generations_(generations) {}

  // The id the next Insert() will return (so an object can be built knowing its own id).
  ConnId NextId() {
    if (pending_.valid()) return pending_;
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    pending_ = ConnId{index, generations_->Next()};
    return pending_;
  }
  // Stores `object` under the id NextId() returned.
  ConnId Insert(std::unique_ptr<T> object) {
    const ConnId id = NextId();
    pending_ = ConnId{};
    slots_[id.index] = Slot{id.generation, std::move(object)};
    ++size_;
    return id;
  }
  // Gives back an id from NextId() that was not used.
  void CancelPending() {
    if (!pending_.valid()) return;
    free_.push_back(pending_.index);
    pending_ = ConnId{};
  }

  T* Find(ConnId id) const {
    if (!id.valid() || id.index >= slots_.size()) return nullptr;
    const Slot& s = slots_[id.index];
    return s.generation == id.generation ? s.object.get() : nullptr;
  }
  T* AtIndex(uint32_t index) const {
    return index < slots_.size() ? slots_[index].object.get() : nullptr;
  }
  void Erase(ConnId id) {
    if (Find(id) == nullptr) return;
    slots_[id.index] = Slot{};
    free_.push_back(id.index);
    --size_;
  }

  size_t size() const { return size_; }
  // Ids of every object, for the rare operations that visit all of them.
  std::vector<ConnId> Ids() const {
    std::vector<ConnId> ids;
    ids.reserve(size_);
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].object != nullptr) ids.push_back(ConnId{i, slots_[i].generation});
    }
    return ids;
  }
  void ForEach(absl::FunctionRef<void(const T&)> fn) const {
    for (const Slot& s : slots_) {
      if (s.object != nullptr) fn(*s.object);
    }
  }

 private:
  struct Slot {
    uint32_t generation = 0;
    std::unique_ptr<T> object;
  };
  GenerationCounter* generations_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  ConnId pending_;
  size_t size_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_SLOT_TABLE_H_
