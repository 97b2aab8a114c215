// tcpaasd put together: the network mode, the stack thread on its device, the gRPC service
// (with health checking and reflection) and the metrics endpoint; and their orderly end.
//
//   Start():  network -> stack thread -> gRPC server -> metrics -> banner
//   Drain():  health NOT_SERVING, new RPCs refused (UNAVAILABLE), listeners closed, FIN on
//             every connection; wait up to --drain_timeout for them to finish; RST the rest
//   Stop():   gRPC server (cancels what is left) -> metrics -> stack -> network teardown
#ifndef TCPAAS_SERVER_DAEMON_H_
#define TCPAAS_SERVER_DAEMON_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/server.h"
#include "server/daemon_config.h"
#include "server/metrics.h"
#include "server/network/network.h"
#include "server/service/service_core.h"
#include "server/service/tcp_service.h"
#include "stack/runtime/stack_thread.h"

namespace tcpaas::server {

// Largest request message the server accepts (a Send or Dial chunk).
inline constexpr int kMaxReceiveMessageBytes = 4 << 20;

class Daemon {
 public:
  // Sets everything up and writes one line per endpoint to `banner`, then "ready". On error
  // what was set up is undone; the message says what to do.
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(const DaemonConfig& config,
                                                       std::ostream& banner);
  ~Daemon();  // Stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // The gRPC port actually bound (useful with --listen=...:0).
  int grpc_port() const { return grpc_port_; }
  // "host:port" to dial.
  std::string grpc_target() const;
  // The metrics URL, or "" when metrics are off.
  std::string metrics_endpoint() const;

  // Health: NOT_SERVING once the stack's loop ended (device failure). Call periodically.
  void CheckHealth();

  // The graceful part of SIGTERM (see above). `interrupted` is polled while waiting (a second
  // signal cuts the wait short). Returns how many connections had to be reset.
  size_t Drain(const std::function<bool()>& interrupted);

  // Stops everything; errors of the network teardown are returned (what was left behind).
  // Idempotent.
  absl::Status Stop();

  ServiceCore& core() { return *core_; }
  runtime::StackThread& stack() { return *stack_; }

 private:
  explicit Daemon(const DaemonConfig& config) : config_(config) {}
  absl::Status SetUp(std::ostream& banner);
  MetricsSnapshot Snapshot();

  DaemonConfig config_;
  std::unique_ptr<Network> network_;
  std::unique_ptr<runtime::StackThread> stack_;
  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<TcpService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<MetricsExporter> metrics_;
  int grpc_port_ = 0;
  bool link_failure_reported_ = false;
  bool stopped_ = false;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_DAEMON_H_
