// One simulation scenario: everything a seed decides. Two of our stacks exchange random data
// both ways with half-closes over a link that drops, duplicates, reorders, delays and corrupts
// frames, all in virtual time. The same seed always produces the same scenario and run.
#ifndef TCPAAS_TESTS_SIM_SCENARIO_H_
#define TCPAAS_TESTS_SIM_SCENARIO_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "stack/base/time.h"
#include "stack/link/fault_injector.h"
#include "stack/tcp/types.h"

namespace tcpaas::sim {

// How one side of the connection behaves as an application.
struct AppBehavior {
  size_t bytes_to_send = 0;
  size_t max_write = 0;         // each write takes 1..max_write bytes
  size_t max_read = 0;          // each read takes 1..max_read bytes
  Duration read_pause;          // a slow reader reads only this often (zero: at once)
  bool shutdown_early = false;  // half-close as soon as everything is written
  tcp::ConnectionOptions options;
};

struct Scenario {
  uint64_t seed = 0;
  size_t mtu = 1500;
  link::FaultSpec faults_a_to_b;
  link::FaultSpec faults_b_to_a;
  AppBehavior client;  // active opener, on host A
  AppBehavior server;  // listener, on host B
  // The run fails if the exchange and both closes take longer than this in virtual time.
  Duration time_limit = Duration::Seconds(900);

  std::string ToString() const;
};

// Draws a scenario from the seed: 0-10% drop, up to 2% duplication, up to 5% reordering,
// 0.1% corruption (on a quarter of the seeds), 0.1-20 ms delay with jitter, MTUs from 576 to
// 9000, buffers from 4 KiB to 1 MiB, 0 to 512 KiB each way, options on and off.
Scenario DrawScenario(uint64_t seed);

}  // namespace tcpaas::sim

#endif  // TCPAAS_TESTS_SIM_SCENARIO_H_
