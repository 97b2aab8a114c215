// A seeded decorator that makes any device a bad network: it drops, duplicates, reorders,
// corrupts, delays and rate-limits the frames it transmits (and, with apply_to_receive, the
// frames it receives), as described by a FaultSpec.
//
// Deterministic: the same spec, seed and sequence of calls give the same frames at the same
// times. Transmit and receive draw from separate random streams of the seed, so faults on
// one side do not shift the other's.
//
// Delayed frames wait in a bounded queue ordered by release time. Transmitted ones go to the
// inner device from Transmit() or Poll() once due; the driver calls Poll() at
// NextDeadline(). Received ones come out of Receive() once due, so with apply_to_receive the
// driver also calls Receive() after NextDeadline() (the fd cannot announce them). A released
// frame the inner device refuses is dropped and counted (inner_rejected), as a full NIC queue
// would. With a spec that does nothing (FaultSpec::IsPassThrough()) every call goes straight
// to the inner device, errors included.
#ifndef TCPAAS_STACK_LINK_FAULT_INJECTOR_H_
#define TCPAAS_STACK_LINK_FAULT_INJECTOR_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/time.h"
#include "stack/link/device.h"
#include "stack/link/fault_pipe.h"
#include "stack/link/fault_spec.h"

namespace tcpaas::link {

class FaultInjector : public Device {
 public:
  using Stats = FaultStats;

  FaultInjector(std::unique_ptr<Device> inner, const FaultSpec& spec, uint64_t seed);

  // Both directions added up.
  Stats stats() const;
  Stats transmit_stats() const { return tx_stats_; }
  Stats receive_stats() const { return rx_stats_; }
  const FaultSpec& spec() const { return spec_; }
  uint64_t seed() const { return seed_; }
  Device& inner() { return *inner_; }

  LinkLayer link_layer() const override { return inner_->link_layer(); }
  size_t mtu() const override { return inner_->mtu(); }
  MacAddress mac() const override { return inner_->mac(); }
  int fd() const override { return inner_->fd(); }
  absl::StatusOr<size_t> Receive(absl::Span<uint8_t> buf, Instant now) override;
  absl::Status Transmit(absl::Span<const uint8_t> frame, Instant now) override;
  void Poll(Instant now) override;
  Instant NextDeadline() const override;

 private:
  void ReleaseTransmits(Instant now);

  std::unique_ptr<Device> inner_;
  FaultSpec spec_;
  uint64_t seed_;
  bool pass_through_;
  Stats tx_stats_;
  Stats rx_stats_;
  FaultPipe tx_;
  FaultPipe rx_;
};

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_FAULT_INJECTOR_H_
