// Runs bulk flows from host A to host B over a bottleneck path in virtual time and reports
// what each flow delivered and when. The building block of the matrix and fairness tests.
#ifndef TCPAAS_TESTS_NETSIM_FLOW_RUN_H_
#define TCPAAS_TESTS_NETSIM_FLOW_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/tcp/types.h"
#include "tests/netsim/bottleneck_path.h"
#include "tests/netsim/bulk_flows.h"

namespace tcpaas::netsim {

struct RunSpec {
  PathSpec path;
  uint64_t seed = 1;
  tcp::ConnectionOptions options;  // both ends (buffers, congestion control)
  std::vector<FlowPlan> flows;
  // Without marks the run ends when every flow's bytes have been read; with marks (then the
  // flows are normally unlimited), once the last mark has passed. See BulkReceiver.
  std::vector<Instant> marks;
  // A run that has not ended this long after it began fails (a stall, in virtual time).
  Duration time_limit = Duration::Seconds(600);
  // Non-empty: both ends record pcaps to <pcap_prefix>-{a,b}.pcap.
  std::string pcap_prefix;
};

struct FlowOutcome {
  Instant start;
  uint64_t bytes_read = 0;
  Instant last_byte = Instant::Never();
  std::vector<uint64_t> bytes_at_mark;
  tcp::TcpStats sender;  // the sending connection at the end of the run
};

struct RunOutcome {
  bool ok = false;
  std::string failure;  // when !ok: what went wrong, when, and how far each side got
  std::vector<FlowOutcome> flows;
  Duration virtual_elapsed;
  uint64_t iterations = 0;
  PathDrops a_to_b;
  PathDrops b_to_a;
};

RunOutcome RunFlows(const RunSpec& spec);

// Application bytes over a time, in Mbit/s (0 for an empty interval).
double GoodputMbps(uint64_t bytes, Duration elapsed);

// Segments the connection retransmitted, every kind.
uint64_t TotalRetransmits(const tcp::TcpStats& stats);

// One line about how a run went for one flow: goodput aside, what the sender went through
// (retransmissions by kind, RTOs, recoveries) and what the path dropped.
std::string DescribeFlow(const RunOutcome& outcome, size_t flow);

}  // namespace tcpaas::netsim

#endif  // TCPAAS_TESTS_NETSIM_FLOW_RUN_H_
