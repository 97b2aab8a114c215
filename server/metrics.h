// Prometheus metrics of tcpaasd, served over HTTP at /metrics.
//
// Nothing on the data path calls into prometheus-cpp: the exporter asks for one
// MetricsSnapshot per scrape (copied from the stack thread's plain counters) and turns it into
// metric families then. Names carry the `tcpaas_` prefix; no label names a connection.
#ifndef TCPAAS_SERVER_METRICS_H_
#define TCPAAS_SERVER_METRICS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "stack/base/counters.h"
#include "stack/tcp/types.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace tcpaas::server {

// How many RPCs of one method ended with one status code.
struct GrpcCallCount {
  std::string method;  // "Connect", "Send", ...
  std::string code;    // "OK", "UNAVAILABLE", ...
  uint64_t count = 0;
};

// Everything one scrape shows, taken at scrape time.
struct MetricsSnapshot {
  StackCounters stack;  // StackThread::CountersSnapshot()
  std::array<size_t, tcp::kTcpStateCount> connections_by_state{};  // TcpLayer::StateCounts()
  std::vector<GrpcCallCount> grpc_calls;  // per RPC method and final status code
  uint64_t send_flow_control_pauses = 0;  // a Send waited for TCP send-buffer room
  uint64_t recv_flow_control_pauses = 0;  // a Recv waited for its gRPC write to finish
  uint64_t link_up = 1;
};

class SnapshotCollector;

class MetricsExporter {
 public:
  // Serves /metrics on `listen` (host:port; port 0 picks a free port, see endpoint()).
  // `snapshot` runs at scrape time, on the exporter's thread; it must be thread-safe and
  // cheap. Error: the address cannot be parsed or bound.
  static absl::StatusOr<std::unique_ptr<MetricsExporter>> Start(
      const std::string& listen, std::function<MetricsSnapshot()> snapshot);

  ~MetricsExporter();  // stops serving; no scrape runs `snapshot` after it returns
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  // "http://127.0.0.1:9464/metrics", with the port actually bound.
  std::string endpoint() const;

 private:
  MetricsExporter(std::shared_ptr<SnapshotCollector> collector,
                  std::unique_ptr<prometheus::Exposer> exposer, std::string endpoint);

  std::shared_ptr<SnapshotCollector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string endpoint_;
};

// The Prometheus text exposition of one snapshot, exactly what a scrape returns. For tests and
// for tools that want the text without an HTTP server.
std::string RenderMetricsText(const MetricsSnapshot& snapshot);

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_METRICS_H_
