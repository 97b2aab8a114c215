// tcpaas-demo: our userspace TCP/IP stack on a TAP device in a private network namespace,
// next to the Linux kernel's TCP. What `make run` starts until the gRPC service lands.
//
//   namespace "tcpaas-demo":  kernel  tcpaas0 198.18.0.1/24  (echo server on :7)
//                                        |  TAP
//   this process:             our stack  198.18.0.2/24  (echo on :7, HTTP on :80)
//
// Only the namespace is touched (RFC 2544 benchmarking addresses, 198.18.0.0/15); Ctrl-C
// (or SIGTERM) stops the stack and removes the namespace.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "stack/host/host.h"
#include "stack/link/tap_device.h"
#include "stack/runtime/stack_thread.h"
#include "tools/demo/demo_services.h"
#include "tools/demo/kernel_echo_server.h"
#include "tools/demo/sandbox.h"
#include "tools/demo/stats_format.h"

namespace tcpaas::demo {
namespace {

constexpr char kNamespace[] = "tcpaas-demo";
constexpr char kTapName[] = "tcpaas0";
constexpr Ipv4Address kKernelAddr = Ipv4Address::FromOctets(198, 18, 0, 1);
constexpr Ipv4Address kStackAddr = Ipv4Address::FromOctets(198, 18, 0, 2);
constexpr int kPrefixLen = 24;
constexpr MacAddress kStackMac({0x02, 0x74, 0x63, 0x70, 0x00, 0x02});  // "tcp" locally administered
constexpr size_t kMtu = 1500;

int Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "tcpaas-demo: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

// Waits for SIGINT/SIGTERM (blocked in every thread, see main) while watching the stack.
// Returns false if the stack stopped on its own.
bool WaitForSignal(const sigset_t& signals, const runtime::StackThread& stack) {
  const timespec tick{1, 0};
  while (true) {
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      std::printf("\n%s received: stopping.\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
      return true;
    }
    if (!stack.running()) return false;
  }
}

void PrintProbe(const absl::StatusOr<ProbeResult>& probe, const std::string& line) {
  std::printf("Our stack -> kernel echo server %s:7\n", kKernelAddr.ToString().c_str());
  if (!probe.ok()) {
    std::printf("  FAILED: %s\n\n", probe.status().ToString().c_str());
    return;
  }
  std::string echoed = probe->echoed;
  while (!echoed.empty() && (echoed.back() == '\n' || echoed.back() == '\r')) echoed.pop_back();
  std::printf("  sent    \"%s\"\n  echoed  \"%s\"  (connect + round trip %s)\n",
              line.substr(0, line.size() - 1).c_str(), echoed.c_str(),
              absl::FormatDuration(probe->round_trip).c_str());
  std::printf("  connection stats when the echo arrived:\n%s\n",
              FormatTcpStats(probe->stats, "    ").c_str());
}

int Run(const sigset_t& signals) {
  absl::StatusOr<std::unique_ptr<Sandbox>> sandbox = Sandbox::Create(kNamespace);
  if (!sandbox.ok()) return Fail("creating the sandbox namespace", sandbox.status());

  absl::StatusOr<std::unique_ptr<link::TapDevice>> tap = link::TapDevice::Create(
      {.name = kTapName, .mtu = kMtu, .netns = kNamespace, .mac = kStackMac});
  if (!tap.ok()) return Fail("creating the TAP device", tap.status());
  const std::string kernel_cidr = absl::StrCat(kKernelAddr.ToString(), "/", kPrefixLen);
  if (absl::Status s = (*sandbox)->Ip({"addr", "add", kernel_cidr, "dev", kTapName}); !s.ok()) {
    return Fail("addressing the kernel side", s);
  }

  absl::StatusOr<std::unique_ptr<KernelEchoServer>> kernel_echo =
      KernelEchoServer::Start(kNamespace, Endpoint{kKernelAddr, kEchoPort});
  if (!kernel_echo.ok()) return Fail("starting the kernel echo server", kernel_echo.status());

  HostConfig config;
  config.interface.address = Ipv4Cidr{kStackAddr, kPrefixLen};
  config.interface.mac = kStackMac;
  config.interface.mtu = kMtu;
  DemoServices services;  // outlives the stack thread that calls it
  runtime::StackThread stack(config, std::move(*tap));
  services.Attach(stack);
  if (absl::Status s = stack.Start(); !s.ok()) return Fail("starting the stack thread", s);
  if (absl::Status s = services.Listen(stack); !s.ok()) return Fail("listening", s);

  std::printf(
      "tcpaas demo: our userspace TCP/IP stack on a TAP device in network namespace \"%s\"\n"
      "  kernel side  %s %s  (Linux TCP; echo server on port 7)\n"
      "  our stack    %s/%d  MAC %s  (echo on port 7, HTTP on port 80)\n\n",
      kNamespace, kTapName, kernel_cidr.c_str(), kStackAddr.ToString().c_str(), kPrefixLen,
      kStackMac.ToString().c_str());

  const std::string line = "hello from the tcpaas stack\n";
  PrintProbe(services.ProbeEcho(stack, Endpoint{kKernelAddr, kEchoPort}, line, absl::Seconds(5)),
             line);

  std::printf(
      "Try it from the kernel side (another terminal, as root):\n"
      "  ip netns exec %s ping -c3 %s\n"
      "  ip netns exec %s curl http://%s/\n"
      "  ip netns exec %s nc %s 7\n\n"
      "Ctrl-C stops the demo and removes the namespace.\n",
      kNamespace, kStackAddr.ToString().c_str(), kNamespace, kStackAddr.ToString().c_str(),
      kNamespace, kStackAddr.ToString().c_str());
  std::fflush(stdout);

  const bool by_signal = WaitForSignal(signals, stack);
  stack.Stop();
  std::printf("Served %d echo connection(s) and %d HTTP request(s). Stack counters:\n%s",
              services.echo_connections(), services.http_requests(),
              FormatCounters(stack.CountersSnapshot()).c_str());
  if (!by_signal) return Fail("the stack thread stopped", stack.status());
  return 0;
}

}  // namespace
}  // namespace tcpaas::demo

int main() {
  if (geteuid() != 0) {
    std::fprintf(stderr,
                 "tcpaas-demo needs root: it creates a network namespace and a TAP device in it "
                 "(nothing outside the namespace is changed).\n  Try: sudo make run\n");
    return 1;
  }
  if (access("/dev/net/tun", R_OK | W_OK) != 0) {
    std::fprintf(stderr,
                 "tcpaas-demo needs /dev/net/tun (try `modprobe tun`; in a container: "
                 "--device /dev/net/tun --cap-add NET_ADMIN).\n");
    return 1;
  }
  // Every thread inherits this mask, so the signals reach only the main thread's sigtimedwait
  // and the shutdown path always runs (namespace removed).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return tcpaas::demo::Run(signals);
}
