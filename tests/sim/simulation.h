// Runs one Scenario: two Hosts (A = 198.18.0.1, client; B = 198.18.0.2, server) joined by a
// MemoryLink with a FaultInjector on each end, driven in virtual time until both applications
// are done and both stacks hold no connection (TIME_WAIT expired).
#ifndef TCPAAS_TESTS_SIM_SIMULATION_H_
#define TCPAAS_TESTS_SIM_SIMULATION_H_

#include <cstdint>
#include <string>

#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "tests/sim/scenario.h"

namespace tcpaas::sim {

struct RunOptions {
  // When non-empty, both hosts' links are recorded to <pcap_dir>/sim-<seed>-{a,b}.pcap.
  std::string pcap_dir;
  bool verbose = false;
};

struct Outcome {
  bool ok = false;
  std::string failure;       // what went wrong, when !ok
  Duration virtual_elapsed;  // until both stacks were empty
  uint64_t iterations = 0;
  StackCounters a;
  StackCounters b;
  uint64_t retransmits = 0;  // both hosts, every kind
};

Outcome RunScenario(const Scenario& scenario, const RunOptions& options);

}  // namespace tcpaas::sim

#endif  // TCPAAS_TESTS_SIM_SIMULATION_H_
