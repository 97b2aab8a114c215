#include "server/daemon.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "stack/host/host.h"
#include "stack/link/fault_injector.h"
#include "stack/link/pcap_writer.h"

namespace tcpaas::server {
namespace {

// How long cancelled calls get to reach OnDone after the gRPC server stops.
constexpr auto kReactorGrace = std::chrono::seconds(5);
// How long calls still running after the drain get before the server cancels them.
constexpr auto kServerShutdownGrace = std::chrono::milliseconds(250);

}  // namespace

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(const DaemonConfig& config,
                                                      std::ostream& banner) {
  std::unique_ptr<Daemon> daemon(new Daemon(config));
  if (absl::Status s = daemon->SetUp(banner); !s.ok()) {
    daemon->Stop().IgnoreError();
    return s;
  }
  return daemon;
}

absl::Status Daemon::SetUp(std::ostream& banner) {
  // --- Network and device ---
  auto network = SetUpNetwork(config_.network);
  if (!network.ok()) return network.status();
  network_ = *std::move(network);
  std::unique_ptr<link::Device> device = network_->TakeDevice();
  std::vector<std::string> lines = network_->Describe();
  if (!config_.pcap.empty()) {
    // Next to the TAP: the capture shows what crossed the wire, after injected faults.
    auto pcap = link::PcapWriter::Create(std::move(device), config_.pcap);
    if (!pcap.ok()) {
      return absl::Status(pcap.status().code(),
                          absl::StrCat("--pcap=", config_.pcap, ": ", pcap.status().message()));
    }
    device = *std::move(pcap);
    lines.push_back(absl::StrCat("capturing frames to ", config_.pcap));
  }
  if (!config_.faults.IsPassThrough()) {
    device = std::make_unique<link::FaultInjector>(std::move(device), config_.faults,
                                                   config_.fault_seed);
    lines.push_back(absl::StrCat("injecting faults ", config_.faults.ToString(), " (seed ",
                                 config_.fault_seed, ")"));
  }

  // --- Stack ---
  HostConfig host;
  host.interface = network_->Interface();
  host.tcp.defaults.congestion_control = config_.congestion_control;
  // Ids are bounded by --max_connections; the layer also holds connections that were
  // released and finish on their own (FIN exchange, TIME-WAIT).
  host.tcp.max_connections = std::max<size_t>(65536, 4 * config_.max_connections);
  runtime::StackThreadOptions thread_options;
  thread_options.command_queue_limit = std::max<size_t>(65536, 16 * config_.max_connections);
  stack_ = std::make_unique<runtime::StackThread>(host, std::move(device), thread_options);

  ServiceOptions service_options;
  service_options.max_connections = config_.max_connections;
  service_options.connection_defaults = host.tcp.defaults;
  core_ = std::make_unique<ServiceCore>(stack_.get(), service_options);  // the event handler
  if (absl::Status s = stack_->Start(); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("cannot start the stack: ", s.message()));
  }

  // --- gRPC ---
  service_ = std::make_unique<TcpService>(core_.get());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config_.listen, grpc::InsecureServerCredentials(), &grpc_port_);
  builder.RegisterService(service_.get());
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", config_.listen,
                     ": the port is in use or the address is not local; choose another --listen "
                     "(port 0 picks a free one)"));
  }
  server_->GetHealthCheckService()->SetServingStatus(true);

  // --- Metrics ---
  if (!config_.metrics_listen.empty()) {
    auto metrics = MetricsExporter::Start(config_.metrics_listen, [this] { return Snapshot(); });
    if (!metrics.ok()) return metrics.status();  // its message names the flag and the fix
    metrics_ = *std::move(metrics);
  }

  banner << "tcpaasd: grpc listening on " << grpc_target() << "\n";
  banner << "tcpaasd: metrics "
         << (metrics_ != nullptr ? absl::StrCat("at ", metrics_->endpoint()) : "off") << "\n";
  for (const std::string& line : lines) banner << "tcpaasd: " << line << "\n";
  banner << "tcpaasd: ready" << std::endl;
  return absl::OkStatus();
}

std::string Daemon::grpc_target() const {
  // The host part of --listen with the port actually bound.
  const size_t colon = config_.listen.rfind(':');
  return absl::StrCat(config_.listen.substr(0, colon), ":", grpc_port_);
}

std::string Daemon::metrics_endpoint() const {
  return metrics_ != nullptr ? metrics_->endpoint() : "";
}

MetricsSnapshot Daemon::Snapshot() {
  MetricsSnapshot snapshot;
  snapshot.stack = stack_->CountersSnapshot();
  snapshot.connections_by_state =
      stack_->Call([](Host& host, Instant) { return host.tcp().StateCounts(); });
  for (const CallCount& c : core_->calls().Snapshot()) {
    snapshot.grpc_calls.push_back(
        GrpcCallCount{.method = c.method, .code = c.code, .count = c.count});
  }
  snapshot.send_flow_control_pauses = core_->flow().send_pauses.load(std::memory_order_relaxed);
  snapshot.recv_flow_control_pauses = core_->flow().recv_pauses.load(std::memory_order_relaxed);
  snapshot.link_up = stack_->running() ? 1 : 0;
  return snapshot;
}

void Daemon::CheckHealth() {
  if (stopped_ || link_failure_reported_ || stack_ == nullptr || stack_->running()) return;
  link_failure_reported_ = true;
  if (server_ != nullptr) server_->GetHealthCheckService()->SetServingStatus(false);
  std::cerr << "tcpaasd: the stack stopped (" << stack_->status().ToString()
            << "); health is NOT_SERVING" << std::endl;
}

size_t Daemon::Drain(const std::function<bool()>& interrupted) {
  if (stopped_ || core_ == nullptr) return 0;
  core_->SetDraining();
  if (server_ != nullptr) server_->GetHealthCheckService()->SetServingStatus(false);
  StackExecutor& executor = core_->executor();
  executor.Call([this](Host& host, Instant now) { core_->BeginDrain(host, now); });

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::nanoseconds(config_.drain_timeout.nanos());
  size_t unfinished = 0;
  for (;;) {
    executor.Call([&](Host&, Instant) { unfinished = core_->UnfinishedConnections(); });
    if (unfinished == 0 || std::chrono::steady_clock::now() >= deadline ||
        (interrupted && interrupted())) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  executor.Call([this](Host& host, Instant now) {
    core_->ReleaseAll(absl::UnavailableError("the server shut down"), host, now);
  });
  return unfinished;
}

absl::Status Daemon::Stop() {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  if (server_ != nullptr) {
    // New calls are refused from here on; running ones get a moment, then are cancelled and
    // their reactors wind down through the stack thread, which still runs.
    if (core_ != nullptr) core_->SetDraining();
    server_->Shutdown(std::chrono::system_clock::now() + kServerShutdownGrace);
    server_->Wait();
  }
  if (core_ != nullptr) {
    const auto give_up = std::chrono::steady_clock::now() + kReactorGrace;
    while (core_->live_reactors() > 0 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (core_->live_reactors() > 0) {
      std::cerr << "tcpaasd: " << core_->live_reactors()
                << " calls did not end within the shutdown grace" << std::endl;
    }
  }
  metrics_.reset();                       // its scrapes read the stack
  if (stack_ != nullptr) stack_->Stop();  // RSTs what is left and flushes them
  server_.reset();
  service_.reset();
  // A reactor that never ended would still point at the core: keep it alive rather than
  // crash (only reachable if gRPC failed to deliver OnDone).
  if (core_ != nullptr && core_->live_reactors() > 0) {
    (void)core_.release();
    (void)stack_.release();
  }
  core_.reset();
  stack_.reset();  // closes the device
  absl::Status result;
  if (network_ != nullptr) result = network_->TearDown();
  network_.reset();
  return result;
}

Daemon::~Daemon() { Stop().IgnoreError(); }

}  // namespace tcpaas::server
