// Our stack on a TAP device inside a network namespace, reached through BlockingTcp:
//
//   namespace <netns>:  kernel side of the TAP (<tap_name>)  <== TAP ==>  our stack
//                                                          StackThread over
//                                                          [PcapWriter(]TapDevice[)]
//
// The one place tests and benchmarks build that chain (interop harness, shared path network).
// The kernel side of the TAP is up but has no address: the caller gives it one or makes it a
// bridge port. Destroying the object stops the stack thread, then closes the capture and the
// TAP (which removes the device).
#ifndef TCPAAS_TESTS_SUPPORT_TAP_STACK_H_
#define TCPAAS_TESTS_SUPPORT_TAP_STACK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "stack/runtime/stack_thread.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"
#include "tests/support/blocking_tcp.h"

namespace tcpaas::test {

struct TapStackOptions {
  std::string netns;     // the namespace the TAP is created in (TestNetns::name())
  std::string tap_name;  // at most 15 characters
  MacAddress mac;        // our stack's MAC
  Ipv4Cidr address;      // our stack's address and prefix
  size_t mtu = 1500;
  tcp::TcpConfig tcp;
  std::string thread_name = "tap-stack";  // at most 15 characters are kept
  // When not empty, every frame the stack sends or receives is recorded to this file, cut to
  // `pcap_snaplen` bytes, until the file reaches `pcap_max_bytes` (0: no bound).
  std::string pcap_path;
  uint32_t pcap_snaplen = 65535;
  uint64_t pcap_max_bytes = 0;
};

class TapStack {
 public:
  // Creates the TAP (kernel side up), the capture when asked, and starts the stack thread.
  static absl::StatusOr<std::unique_ptr<TapStack>> Start(const TapStackOptions& options);
  ~TapStack();
  TapStack(const TapStack&) = delete;
  TapStack& operator=(const TapStack&) = delete;

  BlockingTcp& tcp() { return *tcp_; }
  runtime::StackThread& stack() { return *thread_; }

 private:
  TapStack() = default;

  std::unique_ptr<runtime::StackThread> thread_;
  std::unique_ptr<BlockingTcp> tcp_;
};

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_TAP_STACK_H_
