// tcpaasd: TCP as a service. See the README for the flags, the RPCs and the metrics.
//
// Exit status: 0 after a clean shutdown (SIGINT or SIGTERM: drain, then stop), 1 when startup
// fails, 2 for bad flags.
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "server/daemon.h"
#include "server/daemon_config.h"

namespace {
const tcpaas::server::DaemonFlags kDefaults;
}  // namespace

ABSL_FLAG(std::string, listen, kDefaults.listen,
          "host:port of the gRPC server; port 0 picks a free port (printed at startup)");
ABSL_FLAG(std::string, metrics_listen, kDefaults.metrics_listen,
          "host:port of the Prometheus endpoint /metrics; empty turns it off");
ABSL_FLAG(std::string, network, kDefaults.network,
          "sandbox: a private namespace with built-in services; tap: an existing TAP device "
          "(--tap, --address, --gateway); nat: a TAP masqueraded out of this namespace");
ABSL_FLAG(std::string, tap, kDefaults.tap,
          "TAP device name (tap: the existing device, required; nat and sandbox: the device "
          "to create, default tcpaas0)");
ABSL_FLAG(std::string, address, kDefaults.address,
          "the stack's address as CIDR (tap: required; nat: default 198.18.0.2/24)");
ABSL_FLAG(std::string, gateway, kDefaults.gateway,
          "next hop off the subnet (tap: optional; nat: the kernel side, default 198.18.0.1)");
ABSL_FLAG(int64_t, mtu, kDefaults.mtu, "MTU of the device (576..9216)");
ABSL_FLAG(std::string, pcap, kDefaults.pcap, "write every frame to this pcap file");
ABSL_FLAG(std::string, faults, kDefaults.faults,
          "inject faults on the device, e.g. drop=0.01,dup=0.001,reorder=0.01,corrupt=0.001,"
          "delay=5ms,jitter=1ms,rate=100mbit,rx");
ABSL_FLAG(uint64_t, fault_seed, kDefaults.fault_seed, "seed of the fault injector");
ABSL_FLAG(std::string, sandbox_name, kDefaults.sandbox_name,
          "name of the sandbox's network namespace (ip netns exec NAME ...)");
ABSL_FLAG(int64_t, max_connections, kDefaults.max_connections,
          "connections the service holds at once (Connect, Dial, accepted); more are "
          "RESOURCE_EXHAUSTED");
ABSL_FLAG(absl::Duration, drain_timeout, kDefaults.drain_timeout,
          "on SIGTERM/SIGINT, how long open connections get to finish after their FIN before "
          "they are reset");
ABSL_FLAG(std::string, congestion_control, kDefaults.congestion_control,
          "default congestion control of new connections (newreno, cubic)");

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "server/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "TCP as a service: a gRPC server running its own userspace TCP/IP stack.\n"
      "  sudo tcpaasd                      # sandbox: try every RPC against 198.18.0.1\n"
      "  tcpaasd --network=tap --tap=tap0 --address=192.0.2.2/24 --gateway=192.0.2.1");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    std::fprintf(stderr,
                 "tcpaasd: unexpected argument \"%s\"; every setting is a --flag (see --help)\n",
                 rest[1]);
    return 2;
  }
  tcpaas::server::DaemonFlags flags;
  flags.listen = absl::GetFlag(FLAGS_listen);
  flags.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  flags.network = absl::GetFlag(FLAGS_network);
  flags.tap = absl::GetFlag(FLAGS_tap);
  flags.address = absl::GetFlag(FLAGS_address);
  flags.gateway = absl::GetFlag(FLAGS_gateway);
  flags.mtu = absl::GetFlag(FLAGS_mtu);
  flags.pcap = absl::GetFlag(FLAGS_pcap);
  flags.faults = absl::GetFlag(FLAGS_faults);
  flags.fault_seed = absl::GetFlag(FLAGS_fault_seed);
  flags.sandbox_name = absl::GetFlag(FLAGS_sandbox_name);
  flags.max_connections = absl::GetFlag(FLAGS_max_connections);
  flags.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  flags.congestion_control = absl::GetFlag(FLAGS_congestion_control);
  auto config = tcpaas::server::ParseDaemonConfig(flags);
  if (!config.ok()) {
    std::fprintf(stderr, "tcpaasd: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }

  // Signals are taken synchronously by this thread (sigtimedwait); every thread started from
  // here on inherits the blocked mask, so none is interrupted by them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto daemon = tcpaas::server::Daemon::Start(*config, std::cout);
  if (!daemon.ok()) {
    std::fprintf(stderr, "tcpaasd: %s\n", std::string(daemon.status().message()).c_str());
    return 1;
  }

  timespec tick{.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
  int signal_number = -1;
  while (signal_number < 0) {
    signal_number = sigtimedwait(&stop_signals, nullptr, &tick);
    (*daemon)->CheckHealth();
  }
  std::cout << "tcpaasd: " << (signal_number == SIGINT ? "SIGINT" : "SIGTERM")
            << ": draining (up to " << absl::FormatDuration(flags.drain_timeout) << ")"
            << std::endl;
  timespec no_wait{};
  const size_t reset =
      (*daemon)->Drain([&] { return sigtimedwait(&stop_signals, nullptr, &no_wait) > 0; });
  if (reset > 0) {
    std::cout << "tcpaasd: reset " << reset << " connections that did not finish in time"
              << std::endl;
  }
  absl::Status stopped = (*daemon)->Stop();
  if (!stopped.ok()) {
    std::fprintf(stderr, "tcpaasd: cleanup incomplete: %s\n",
                 std::string(stopped.message()).c_str());
    return 1;
  }
  std::cout << "tcpaasd: stopped" << std::endl;
  return 0;
}
