#include "stack/link/fault_injector.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

namespace tcpaas::link {
namespace {

constexpr uint64_t kTransmitStream = 0;
constexpr uint64_t kReceiveStream = 1;

}  // namespace

FaultInjector::FaultInjector(std::unique_ptr<Device> inner, const FaultSpec& spec, uint64_t seed)
    : inner_(std::move(inner)),
      spec_(spec),
      seed_(seed),
      pass_through_(spec.IsPassThrough()),
      tx_(spec, seed, kTransmitStream, &tx_stats_),
      rx_(spec, seed, kReceiveStream, &rx_stats_) {}

FaultInjector::Stats FaultInjector::stats() const {
  Stats total = tx_stats_;
  total += rx_stats_;
  return total;
}

absl::Status FaultInjector::Transmit(absl::Span<const uint8_t> frame, Instant now) {
  if (pass_through_) return inner_->Transmit(frame, now);
  tx_.Submit(frame, now);
  ReleaseTransmits(now);
  return absl::OkStatus();
}

void FaultInjector::ReleaseTransmits(Instant now) {
  while (std::optional<absl::Span<const uint8_t>> frame = tx_.Due(now)) {
    if (!inner_->Transmit(*frame, now).ok()) ++tx_stats_.inner_rejected;
    tx_.Pop();
  }
}

absl::StatusOr<size_t> FaultInjector::Receive(absl::Span<uint8_t> buf, Instant now) {
  if (pass_through_ || !spec_.apply_to_receive) return inner_->Receive(buf, now);
  while (true) {
    if (std::optional<absl::Span<const uint8_t>> frame = rx_.Due(now)) {
      const size_t n = std::min(frame->size(), buf.size());
      if (n > 0) std::memcpy(buf.data(), frame->data(), n);
      rx_.Pop();
      return n;
    }
    // Nothing due: take the next frame from the inner device through the faults. `buf`
    // serves as scratch; the pipe keeps its own copy.
    absl::StatusOr<size_t> n = inner_->Receive(buf, now);
    if (!n.ok() || *n == 0) return n;
    rx_.Submit(buf.first(*n), now);
  }
}

void FaultInjector::Poll(Instant now) {
  if (!pass_through_) ReleaseTransmits(now);
  inner_->Poll(now);
}

Instant FaultInjector::NextDeadline() const {
  return Earliest(Earliest(tx_.NextRelease(), rx_.NextRelease()), inner_->NextDeadline());
}

}  // namespace tcpaas::link
