// The applications of the throughput tests: host A opens each bulk flow to host B at its
// start time and writes the flow's stream (a BytePattern) as fast as the send buffer takes
// it; host B accepts the flows, reads everything as soon as it arrives and checks every byte.
// Neither side closes: a run ends when the receiver has what it wanted.
#ifndef TCPAAS_TESTS_NETSIM_BULK_FLOWS_H_
#define TCPAAS_TESTS_NETSIM_BULK_FLOWS_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "stack/base/time.h"
#include "stack/host/host.h"
#include "stack/tcp/types.h"
#include "tests/netsim/byte_pattern.h"
#include "tests/sim/sim_loop.h"

namespace tcpaas::netsim {

inline constexpr Port kBulkPort(5001);
inline constexpr uint64_t kUnlimitedBytes = std::numeric_limits<uint64_t>::max();

// Flow i leaves A from port 40000 + i, which is how B tells the flows apart.
Port FlowLocalPort(size_t flow);
// The key of flow i's BytePattern in a run with this seed.
uint64_t FlowPatternKey(uint64_t seed, size_t flow);

struct FlowPlan {
  Instant start;                     // when A opens the connection
  uint64_t bytes = kUnlimitedBytes;  // what A writes
};

class BulkSender : public sim::LoopApp, public tcp::TcpEventHandler {
 public:
  BulkSender(Host* host, std::vector<FlowPlan> plans, const tcp::ConnectionOptions& options,
             uint64_t seed);

  bool Step(Instant now) override;
  Instant NextWakeup(Instant now) const override;
  const std::string& failure() const override { return failure_; }
  void OnTcpEvent(const tcp::TcpEvent& e) override;

  size_t flow_count() const { return flows_.size(); }
  // The flow's connection (invalid before its start).
  tcp::ConnId conn(size_t flow) const { return flows_[flow].conn; }
  std::string Progress() const;

 private:
  struct Flow {
    FlowPlan plan;
    BytePattern pattern;
    tcp::ConnId conn;
    uint64_t sent = 0;
    std::vector<uint8_t> chunk;  // stream bytes [chunk_offset, chunk_offset + chunk.size())
    uint64_t chunk_offset = 0;
  };
  bool StepFlow(Flow& flow, size_t index, Instant now);
  void Fail(std::string why);

  Host* host_;
  tcp::ConnectionOptions options_;
  std::vector<Flow> flows_;
  std::string failure_;
};

// What B has read of one flow.
struct ReceivedFlow {
  bool accepted = false;
  uint64_t bytes = 0;
  Instant last_byte = Instant::Never();  // when the last byte so far was read
  std::vector<uint64_t> bytes_at_mark;   // `bytes` just before each mark (see BulkReceiver)
};

class BulkReceiver : public sim::LoopApp, public tcp::TcpEventHandler {
 public:
  // `marks`: increasing instants at which the receiver notes how much of each flow it has
  // read (for goodput over a window); the loop is woken at each.
  BulkReceiver(Host* host, size_t flows, const tcp::ConnectionOptions& options, uint64_t seed,
               std::vector<Instant> marks);

  absl::Status Open();
  bool Step(Instant now) override;
  Instant NextWakeup(Instant now) const override;
  const std::string& failure() const override { return failure_; }
  void OnTcpEvent(const tcp::TcpEvent& e) override;

  const std::vector<ReceivedFlow>& flows() const { return received_; }
  // Whether every mark has been passed.
  bool marks_done() const { return next_mark_ == marks_.size(); }
  std::string Progress() const;

 private:
  bool ReadFlow(size_t flow, Instant now);
  void Fail(std::string why);

  Host* host_;
  tcp::ConnectionOptions options_;
  std::vector<BytePattern> patterns_;
  std::vector<Instant> marks_;
  size_t next_mark_ = 0;
  tcp::ListenerId listener_;
  std::vector<tcp::ConnId> conns_;  // per flow; invalid until accepted
  std::vector<ReceivedFlow> received_;
  std::vector<uint8_t> read_buf_;
  std::string failure_;
};

}  // namespace tcpaas::netsim

#endif  // TCPAAS_TESTS_NETSIM_BULK_FLOWS_H_
