// Fairness of competing flows: N bulk flows from A to B (separate connections, one
// congestion control) share one bottleneck with a drop-tail queue of one bandwidth-delay
// product. The flows start one after another; each flow's goodput is measured over a fixed
// virtual time that begins when the last one has started, and Jain's index summarizes how
// evenly they shared.
#ifndef TCPAAS_TESTS_NETSIM_FAIRNESS_H_
#define TCPAAS_TESTS_NETSIM_FAIRNESS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "stack/base/time.h"
#include "tests/netsim/flow_run.h"

namespace tcpaas::netsim {

// Jain's fairness index (Jain, Chiu, Hawe 1984): (sum x)^2 / (n * sum x^2), 1 when all
// shares are equal, 1/n when one flow has everything. 0 for no flows or all zero.
double JainIndex(absl::Span<const double> shares);

struct FairnessSetup {
  std::string congestion_control;
  size_t flows = 2;
};

RunSpec FairnessRunSpec(const FairnessSetup& setup, uint64_t seed);

struct FairnessResult {
  RunOutcome outcome;
  std::vector<double> goodputs_mbps;  // per flow, over the measurement window
  double jain_index = 0;
  double total_mbps = 0;       // all flows together
  double bottleneck_mbps = 0;  // the bottleneck's rate
  Duration window;
  double real_seconds = 0;
};

FairnessResult RunFairness(const FairnessSetup& setup, uint64_t seed,
                           const std::string& pcap_prefix = "");

// The setup and result as text: parameters, per-flow goodputs, the index.
std::string FormatFairness(const FairnessSetup& setup, uint64_t seed, const FairnessResult& result);

}  // namespace tcpaas::netsim

#endif  // TCPAAS_TESTS_NETSIM_FAIRNESS_H_
