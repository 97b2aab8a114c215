// The interop test bed: our stack and the Linux kernel's TCP on the two ends of a TAP device,
// inside a network namespace made for one test.
//
//   namespace tcpaas-interop-<pid>-<n>                        (deleted with the harness)
//     kernel: <tap> 198.18.0.1/24, lo up   <== TAP ==>   our stack 198.18.0.2/24
//                                                        TapStack (tests/support/tap_stack.h)
//
// Kernel sockets are opened inside the namespace (KernelListen/KernelConnect) and may then be
// used from any thread. Our side is reached through BlockingTcp.
//
// Every frame the stack sends or receives is written to
// ${TCPAAS_ARTIFACTS_DIR:-/tmp/tcpaas-artifacts}/<Suite.Test>.pcap. When the harness is
// destroyed the capture is deleted if the test passed and kept (its path printed) if it
// failed, or always when TCPAAS_KEEP_PCAPS is set (non-empty). Teardown happens in the destructor,
// so it also runs when an assertion fails.
#ifndef TCPAAS_TESTS_INTEROP_INTEROP_HARNESS_H_
#define TCPAAS_TESTS_INTEROP_INTEROP_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "stack/base/time.h"
#include "stack/runtime/stack_thread.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"
#include "tests/support/blocking_tcp.h"
#include "tests/support/kernel_socket.h"
#include "tests/support/netns.h"
#include "tests/support/tap_stack.h"

namespace tcpaas::interop {

inline constexpr Ipv4Address kKernelAddress = Ipv4Address::FromOctets(198, 18, 0, 1);
inline constexpr Ipv4Address kStackAddress = Ipv4Address::FromOctets(198, 18, 0, 2);
inline constexpr int kPrefixLength = 24;

struct InteropOptions {
  // Names the capture file; empty: the running test's "Suite.Test" (characters other than
  // [A-Za-z0-9._-] become '_').
  std::string name;
  size_t mtu = 1500;
  tcp::TcpConfig tcp;
  // SO_RCVTIMEO/SO_SNDTIMEO of kernel sockets.
  Duration kernel_io_timeout = Duration::Seconds(30);
  // Frames are recorded cut to this many bytes (bulk tests keep only the headers).
  uint32_t pcap_snaplen = 65535;
  // The capture stops growing at this size (frames after it are not recorded).
  uint64_t pcap_max_bytes = uint64_t{256} << 20;
  // Asked at teardown whether the run failed, i.e. whether to keep the capture. Default: the
  // running gtest test has a failure.
  std::function<bool()> failed;
};

class InteropHarness {
 public:
  // Creates the namespace, the TAP and the kernel-side addresses, and starts the stack.
  static absl::StatusOr<std::unique_ptr<InteropHarness>> Create(InteropOptions options = {});
  ~InteropHarness();
  InteropHarness(const InteropHarness&) = delete;
  InteropHarness& operator=(const InteropHarness&) = delete;

  const std::string& netns() const;
  const std::string& tap_name() const { return tap_name_; }
  const std::string& pcap_path() const { return pcap_path_; }
  // Runs a command inside the namespace.
  test::CommandResult RunInNetns(const std::vector<std::string>& argv);

  test::BlockingTcp& tcp() { return stack_->tcp(); }
  runtime::StackThread& stack() { return stack_->stack(); }

  // Kernel sockets inside the namespace: a listener on 198.18.0.1:port, a client connected to
  // our stack's 198.18.0.2:port.
  absl::StatusOr<test::KernelSocket> KernelListen(Port port, int backlog = 16);
  absl::StatusOr<test::KernelSocket> KernelConnect(Port stack_port);

  // Loses `per_mille`/1000 of the TCP packets between the kernel and our stack, in each
  // direction, with nftables `numgen random` rules in the namespace (0 removes them).
  // Random, not seeded: a failing run is reproduced from its capture, not its seed.
  absl::Status SetTcpLoss(int per_mille);
  // Packets the loss rules dropped so far: {towards the kernel, towards our stack}.
  absl::StatusOr<std::pair<uint64_t, uint64_t>> LossDrops();

  // The stack's counters in one line (segments, retransmissions, drops), for the test log.
  std::string CountersSummary();

 private:
  InteropHarness() = default;
  absl::Status Init(InteropOptions options);
  // The packet count of the loss rule in the nftables table of `family` ("ip", "netdev").
  absl::StatusOr<uint64_t> LossCounter(std::string_view family);

  InteropOptions options_;
  std::unique_ptr<test::TestNetns> netns_;
  std::string tap_name_;
  std::string pcap_path_;
  bool black_hole_ready_ = false;
  std::unique_ptr<test::TapStack> stack_;
};

// The directory for captures of failed runs: $TCPAAS_ARTIFACTS_DIR or /tmp/tcpaas-artifacts.
std::string ArtifactsDir();
// "Suite.Test" of the running gtest test ("no_test" outside one), safe as a file name.
std::string CurrentTestName();

}  // namespace tcpaas::interop

#endif  // TCPAAS_TESTS_INTEROP_INTEROP_HARNESS_H_
