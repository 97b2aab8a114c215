// The shared path's packet loss (shared_path_network.h): nftables rules in the receiver's
// namespace, on the bridge that both senders (our stack's TAP and the Linux sender's veth) are
// ports of, so one rule loses the same share of packets whichever sender runs
// (bench/README.md, "Topology").
//
//   table bridge tcpaas_bench_loss
//     chain to_receiver  (hook input:  bridge -> the receiver's stack)   data segments
//     chain to_sender    (hook output: the receiver's stack -> bridge)   ACKs
//
// Each chain first counts the flow's packets, then drops per_mille/1000 of them at random
// (`numgen random`). Dropping in the bridge's hooks is loss on the wire for both ends: the
// sender is in another namespace, and the receiver's TCP never learns that its ACK was
// dropped (the bridge reports every transmit as done).
#ifndef TCPAAS_TESTS_SUPPORT_LOSS_RULES_H_
#define TCPAAS_TESTS_SUPPORT_LOSS_RULES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "stack/wire/addr.h"

namespace tcpaas::test {

inline constexpr char kLossTable[] = "tcpaas_bench_loss";
// The highest loss the benchmark accepts: beyond it no TCP finishes in useful time.
inline constexpr int kMaxLossPerMille = 500;

// The measured flow, as the receiver sees it: its address and listening port.
struct LossPath {
  Ipv4Address receiver;
  Port port;
};

// An `nft -f` script that replaces the table with counting rules for `path` and, when
// per_mille > 0, rules that drop per_mille/1000 of its packets in each direction.
std::string LossRuleset(const LossPath& path, int per_mille);
// An `nft -f` script that removes the table (and does not fail when there is none).
std::string ClearLossRuleset();

// What the rules counted since they were installed.
struct LossCounters {
  uint64_t to_receiver_seen = 0;
  uint64_t to_receiver_dropped = 0;
  uint64_t to_sender_seen = 0;
  uint64_t to_sender_dropped = 0;
  // "data 1.02% of 23194, acks 0.98% of 11020"
  std::string Summary() const;
};

// Reads the counters from the output of `nft list table bridge tcpaas_bench_loss`.
absl::StatusOr<LossCounters> ParseLossCounters(std::string_view nft_list_output);

// "0,1,5" or "0.5, 2%" -> per mille {5, 20}; each in [0, kMaxLossPerMille], at most one
// decimal (the rules work in tenths of a percent). An empty list is an error.
absl::StatusOr<std::vector<int>> ParseLossPercentages(std::string_view list);

// "1%", "0.5%", "0%".
std::string LossLabel(int per_mille);

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_LOSS_RULES_H_
