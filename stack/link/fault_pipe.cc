#include "stack/link/fault_pipe.h"

#include <algorithm>

namespace tcpaas::link {

FaultStats& FaultStats::operator+=(const FaultStats& o) {
  dropped += o.dropped;
  duplicated += o.duplicated;
  reordered += o.reordered;
  corrupted += o.corrupted;
  delayed += o.delayed;
  queue_overflow += o.queue_overflow;
  inner_rejected += o.inner_rejected;
  return *this;
}

FaultPipe::FaultPipe(const FaultSpec& spec, uint64_t seed, uint64_t stream, FaultStats* stats)
    : spec_(spec), rng_(seed, stream), stats_(stats) {
  heap_.reserve(std::min<size_t>(spec_.queue_limit, 1 << 16));
}

bool FaultPipe::Later(const Entry& a, const Entry& b) {
  if (a.release != b.release) return a.release > b.release;
  return a.order > b.order;
}

void FaultPipe::Push(const Entry& e) {
  heap_.push_back(e);
  std::push_heap(heap_.begin(), heap_.end(), Later);
}

void FaultPipe::Submit(absl::Span<const uint8_t> frame, Instant now) {
  if (spec_.drop > 0 && rng_.Bernoulli(spec_.drop)) {
    ++stats_->dropped;
    return;
  }
  const bool twice = spec_.duplicate > 0 && rng_.Bernoulli(spec_.duplicate);
  Schedule(frame, now);
  if (twice) {
    ++stats_->duplicated;
    Schedule(frame, now);
  }
}

void FaultPipe::Schedule(absl::Span<const uint8_t> frame, Instant now) {
  if (held() >= spec_.queue_limit) {
    ++stats_->queue_overflow;
    return;
  }
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  std::vector<uint8_t>& bytes = slots_[slot];
  bytes.assign(frame.begin(), frame.end());  // reuses the slot's capacity

  if (spec_.corrupt > 0 && rng_.Bernoulli(spec_.corrupt) && !bytes.empty()) {
    const uint64_t byte = rng_.Uniform(bytes.size());
    bytes[byte] ^= static_cast<uint8_t>(1u << rng_.Uniform(8));
    ++stats_->corrupted;
  }

  Instant release = now;
  if (spec_.rate_bits_per_second > 0) {
    // The frame starts serializing once the previous one is done and leaves after its
    // serialization time: a bottleneck link of that rate with a FIFO in front.
    const unsigned __int128 bits = static_cast<unsigned __int128>(frame.size()) * 8;
    const auto ns = static_cast<int64_t>((bits * 1'000'000'000 + spec_.rate_bits_per_second - 1) /
                                         spec_.rate_bits_per_second);
    link_free_at_ = std::max(link_free_at_, now) + Duration::Nanos(ns);
    release = link_free_at_;
  }
  release += spec_.delay;
  if (spec_.jitter > Duration::Zero()) {
    release += Duration::Nanos(static_cast<int64_t>(rng_.Uniform(spec_.jitter.nanos() + 1)));
  }
  if (release > now) ++stats_->delayed;

  const Entry entry{release, next_order_++, slot};
  if (reorder_held_) {
    // This is the frame the held one waits for: the held frame goes right behind it.
    Push(entry);
    Entry held = *reorder_held_;
    held.release = std::max(held.release, release);
    held.order = next_order_++;
    Push(held);
    reorder_held_.reset();
    reorder_deadline_ = Instant::Never();
  } else if (spec_.reorder > 0 && rng_.Bernoulli(spec_.reorder)) {
    ++stats_->reordered;
    reorder_held_ = entry;
    reorder_deadline_ = release + spec_.reorder_hold;
  } else {
    Push(entry);
  }
}

void FaultPipe::ReleaseHeldIfExpired(Instant now) {
  if (!reorder_held_ || reorder_deadline_ > now) return;
  // Nobody came to overtake it: it goes out late, which is all a reorder can do alone.
  Entry held = *reorder_held_;
  held.release = reorder_deadline_;
  held.order = next_order_++;
  reorder_held_.reset();
  reorder_deadline_ = Instant::Never();
  Push(held);
}

std::optional<absl::Span<const uint8_t>> FaultPipe::Due(Instant now) {
  ReleaseHeldIfExpired(now);
  if (heap_.empty() || heap_.front().release > now) return std::nullopt;
  const std::vector<uint8_t>& bytes = slots_[heap_.front().slot];
  return absl::Span<const uint8_t>(bytes.data(), bytes.size());
}

void FaultPipe::Pop() {
  if (heap_.empty()) return;
  std::pop_heap(heap_.begin(), heap_.end(), Later);
  free_slots_.push_back(heap_.back().slot);
  heap_.pop_back();
}

Instant FaultPipe::NextRelease() const {
  const Instant next = heap_.empty() ? Instant::Never() : heap_.front().release;
  return Earliest(next, reorder_deadline_);
}

}  // namespace tcpaas::link
