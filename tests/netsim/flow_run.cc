#include "tests/netsim/flow_run.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "stack/host/host.h"
#include "tests/sim/sim_hosts.h"
#include "tests/sim/sim_loop.h"

namespace tcpaas::netsim {

double GoodputMbps(uint64_t bytes, Duration elapsed) {
  if (elapsed <= Duration::Zero()) return 0;
  return static_cast<double>(bytes) * 8 / elapsed.seconds() / 1e6;
}

uint64_t TotalRetransmits(const tcp::TcpStats& stats) {
  uint64_t total = 0;
  for (uint64_t n : stats.retransmits) total += n;
  return total;
}

std::string DescribeFlow(const RunOutcome& outcome, size_t flow) {
  const tcp::TcpStats& s = outcome.flows[flow].sender;
  std::string kinds;
  for (size_t k = 0; k < s.retransmits.size(); ++k) {
    absl::StrAppend(&kinds, k == 0 ? "" : " ",
                    std::string(RetransmitKindName(static_cast<RetransmitKind>(k))), "=",
                    s.retransmits[k]);
  }
  return absl::StrCat(
      "read ", outcome.flows[flow].bytes_read, " B in ", outcome.virtual_elapsed.ToString(),
      " virtual; retransmitted [", kinds, "], ", s.rto_timeouts, " RTOs, ", s.fast_recoveries,
      " recoveries, ", s.dsacks_received, " D-SACKs in, reordering ", s.reordering, ", srtt ",
      s.srtt.ToString(), ", cwnd ", s.cwnd, "; path A->B dropped ", outcome.a_to_b.queue,
      " at the queue, ", outcome.a_to_b.loss, " by loss; B->A ", outcome.b_to_a.loss, " by loss");
}

RunOutcome RunFlows(const RunSpec& spec) {
  RunOutcome out;
  absl::StatusOr<Path> path = BuildPath(spec.path, spec.seed, spec.pcap_prefix);
  if (!path.ok()) {
    out.failure = absl::StrCat("building the path: ", path.status().ToString());
    return out;
  }
  Host host_a(sim::MakeSimHostConfig(spec.seed, 0xa, spec.path.mtu, sim::kAddrA, sim::kMacA));
  Host host_b(sim::MakeSimHostConfig(spec.seed, 0xb, spec.path.mtu, sim::kAddrB, sim::kMacB));
  BulkSender sender(&host_a, spec.flows, spec.options, spec.seed);
  BulkReceiver receiver(&host_b, spec.flows.size(), spec.options, spec.seed, spec.marks);
  host_a.tcp().SetEventHandler(&sender);
  host_b.tcp().SetEventHandler(&receiver);

  const Instant start = Instant::Zero();
  host_a.Start(start);
  host_b.Start(start);
  if (absl::Status s = receiver.Open(); !s.ok()) {
    out.failure = absl::StrCat("listen: ", s.ToString());
    return out;
  }
  const sim::LoopSide sides[2] = {{&host_a, path->a.device.get(), &sender},
                                  {&host_b, path->b.device.get(), &receiver}};
  const sim::LoopResult run = sim::RunLoop(sides, start, spec.time_limit, [&](Instant) {
    if (!spec.marks.empty()) return receiver.marks_done();
    for (size_t i = 0; i < spec.flows.size(); ++i) {
      if (receiver.flows()[i].bytes < spec.flows[i].bytes) return false;
    }
    return true;
  });
  out.ok = run.finished;
  out.iterations = run.iterations;
  out.virtual_elapsed = run.now - start;
  if (!run.finished) {
    out.failure = absl::StrCat(run.failure, " at t=", out.virtual_elapsed.ToString(), "\n  ",
                               sender.Progress(), "\n  ", receiver.Progress());
  }
  for (size_t i = 0; i < spec.flows.size(); ++i) {
    const ReceivedFlow& r = receiver.flows()[i];
    FlowOutcome f;
    f.start = spec.flows[i].start;
    f.bytes_read = r.bytes;
    f.last_byte = r.last_byte;
    f.bytes_at_mark = r.bytes_at_mark;
    if (sender.conn(i).valid()) {
      if (auto stats = host_a.tcp().GetStats(sender.conn(i)); stats.ok()) f.sender = *stats;
    }
    out.flows.push_back(std::move(f));
  }
  out.a_to_b = TransmitDrops(path->a);
  out.b_to_a = TransmitDrops(path->b);
  host_a.tcp().SetEventHandler(nullptr);
  host_b.tcp().SetEventHandler(nullptr);
  return out;
}

}  // namespace tcpaas::netsim
