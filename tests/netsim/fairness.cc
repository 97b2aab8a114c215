#include "tests/netsim/fairness.h"

#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tcpaas::netsim {
namespace {

constexpr uint64_t kRateBitsPerSecond = 50'000'000;
constexpr Duration kRtt = Duration::Millis(20);
constexpr size_t kFrameBytes = 1514;
constexpr size_t kBufferBytes = 1024 * 1024;  // far above a flow's share: no window limit
// A later flow starts while the earlier ones already fill the queue, and has to win its
// share from them.
constexpr Duration kStartGap = Duration::Millis(500);
// 30 s at a 20 ms RTT is 1,500 round trips: many loss epochs for every flow.
constexpr Duration kWindow = Duration::Seconds(30);

Instant LastStart(size_t flows) { return Instant::Zero() + kStartGap * (flows - 1); }

}  // namespace

double JainIndex(absl::Span<const double> shares) {
  double sum = 0;
  double squares = 0;
  for (double x : shares) {
    sum += x;
    squares += x * x;
  }
  if (shares.empty() || squares <= 0) return 0;
  return sum * sum / (static_cast<double>(shares.size()) * squares);
}

RunSpec FairnessRunSpec(const FairnessSetup& setup, uint64_t seed) {
  RunSpec spec;
  spec.seed = seed;
  spec.path.rate_bits_per_second = kRateBitsPerSecond;
  spec.path.one_way_delay = kRtt / 2;
  spec.path.queue_frames = static_cast<size_t>(
      std::ceil(static_cast<double>(kRateBitsPerSecond) * kRtt.seconds() / (8.0 * kFrameBytes)));
  spec.options.congestion_control = setup.congestion_control;
  spec.options.send_buffer_bytes = kBufferBytes;
  spec.options.recv_buffer_bytes = kBufferBytes;
  for (size_t i = 0; i < setup.flows; ++i) {
    spec.flows.push_back(FlowPlan{Instant::Zero() + kStartGap * static_cast<int64_t>(i)});
  }
  const Instant from = LastStart(setup.flows);
  spec.marks = {from, from + kWindow};
  spec.time_limit = (from + kWindow - Instant::Zero()) + Duration::Seconds(1);
  return spec;
}

FairnessResult RunFairness(const FairnessSetup& setup, uint64_t seed,
                           const std::string& pcap_prefix) {
  FairnessResult result;
  RunSpec spec = FairnessRunSpec(setup, seed);
  spec.pcap_prefix = pcap_prefix;
  result.window = spec.marks[1] - spec.marks[0];
  result.bottleneck_mbps = static_cast<double>(kRateBitsPerSecond) / 1e6;
  const auto start = std::chrono::steady_clock::now();
  result.outcome = RunFlows(spec);
  result.real_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result.outcome.ok) return result;
  for (const FlowOutcome& f : result.outcome.flows) {
    result.goodputs_mbps.push_back(
        GoodputMbps(f.bytes_at_mark[1] - f.bytes_at_mark[0], result.window));
  }
  result.jain_index = JainIndex(result.goodputs_mbps);
  for (double g : result.goodputs_mbps) result.total_mbps += g;
  return result;
}

std::string FormatFairness(const FairnessSetup& setup, uint64_t seed,
                           const FairnessResult& result) {
  std::string out = absl::StrFormat(
      "netsim fairness %s, %d flows (seed %d): %d Mbit/s bottleneck, RTT %s, queue %d frames, "
      "flows start %s apart, goodput over %s after the last start\n",
      setup.congestion_control, setup.flows, seed, kRateBitsPerSecond / 1'000'000, kRtt.ToString(),
      FairnessRunSpec(setup, seed).path.queue_frames, kStartGap.ToString(),
      result.window.ToString());
  for (size_t i = 0; i < result.goodputs_mbps.size(); ++i) {
    const FlowOutcome& f = result.outcome.flows[i];
    absl::StrAppendFormat(
        &out, "  flow %d: %7.2f Mbit/s  (whole run: %d retransmissions, %d RTOs)\n", i,
        result.goodputs_mbps[i], TotalRetransmits(f.sender), f.sender.rto_timeouts);
  }
  absl::StrAppendFormat(&out, "  total %.2f Mbit/s, Jain's index %.4f\n", result.total_mbps,
                        result.jain_index);
  return out;
}

}  // namespace tcpaas::netsim
