// The benchmark's network: one path, two senders, one receiver (bench/README.md).
//
//   namespace tcpaas-bench-<pid>-<n> ("receiver")        namespace tcpaas-bench-<pid>-<m>
//     receiver: kernel socket on br0 198.18.0.1:5201       ("Linux sender")
//     br0 (bridge) --+-- tap0 ==== our stack 198.18.0.2      eth0 198.18.0.3
//                    +-- vsend <======= veth =======>        (gso_max_segs 1)
//     nftables: table bridge tcpaas_bench_loss (loss_rules.h) on br0's input and output
//     tc netem delay on br0's egress when the kernel has netem (the ACKs of both senders)
//
// Both senders reach the same receiver socket through the same bridge, the same loss rules
// and the same delay; only the sender's TCP differs. Destroying the object stops the stack
// and deletes both namespaces, with every device in them.
#ifndef TCPAAS_BENCH_BENCH_NETWORK_H_
#define TCPAAS_BENCH_BENCH_NETWORK_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/loss_rules.h"
#include "stack/base/time.h"
#include "stack/runtime/stack_thread.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"
#include "tests/interop/blocking_tcp.h"
#include "tests/interop/kernel_socket.h"
#include "tests/support/netns.h"

namespace tcpaas::bench {

inline constexpr Ipv4Address kReceiverAddress = Ipv4Address::FromOctets(198, 18, 0, 1);
inline constexpr Ipv4Address kStackAddress = Ipv4Address::FromOctets(198, 18, 0, 2);
inline constexpr Ipv4Address kLinuxSenderAddress = Ipv4Address::FromOctets(198, 18, 0, 3);
inline constexpr int kPrefixLength = 24;
inline constexpr Port kReceiverPort = Port(5201);

struct BenchNetworkOptions {
  size_t mtu = 1500;
  tcp::TcpConfig tcp;  // our stack's settings
  // Round-trip time added with netem on the bridge, when the kernel has netem; zero: none.
  Duration added_rtt = Duration::Millis(10);
  // SO_RCVTIMEO/SO_SNDTIMEO of the kernel sockets: the longest a transfer may stall.
  Duration stall_timeout = Duration::Seconds(60);
  // When set, every frame of our stack is recorded here (headers only).
  std::string pcap_path;
};

class BenchNetwork {
 public:
  static absl::StatusOr<std::unique_ptr<BenchNetwork>> Create(const BenchNetworkOptions& options);
  ~BenchNetwork();
  BenchNetwork(const BenchNetwork&) = delete;
  BenchNetwork& operator=(const BenchNetwork&) = delete;

  const std::string& receiver_netns() const { return receiver_ns_->name(); }
  const std::string& sender_netns() const { return sender_ns_->name(); }
  // What the path adds to the RTT: "netem 10ms on br0" or why nothing was added.
  const std::string& delay_note() const { return delay_note_; }
  const BenchNetworkOptions& options() const { return options_; }

  // Our stack (the TAP end of the bridge).
  interop::BlockingTcp& tcp() { return *tcp_; }
  runtime::StackThread& stack() { return *thread_; }

  // The receiver: the next connection to 198.18.0.1:5201.
  absl::StatusOr<interop::KernelSocket> AcceptAtReceiver();
  // A kernel socket in the Linux sender's namespace, connected to the receiver.
  absl::StatusOr<interop::KernelSocket> ConnectLinuxSender();

  // The Linux sender's default congestion control (its namespace's
  // net.ipv4.tcp_congestion_control), or why it could not be read.
  std::string LinuxDefaultCongestionControl();

  // Installs the counting and loss rules for the receiver's port (loss_rules.h), replacing
  // earlier ones and their counts.
  absl::Status SetLoss(int per_mille);
  absl::Status ClearLoss();
  absl::StatusOr<LossCounters> ReadLossCounters();

 private:
  explicit BenchNetwork(const BenchNetworkOptions& options) : options_(options) {}
  absl::Status Init();
  absl::Status CreateNamespaces();
  absl::Status WireBridge();
  absl::Status StartStack();
  absl::Status AddDelay();
  absl::Status ApplyNft(const std::string& script);

  BenchNetworkOptions options_;
  std::unique_ptr<test::TestNetns> receiver_ns_;
  std::unique_ptr<test::TestNetns> sender_ns_;
  std::string delay_note_;
  std::unique_ptr<runtime::StackThread> thread_;
  std::unique_ptr<interop::BlockingTcp> tcp_;
  interop::KernelSocket listener_;
};

}  // namespace tcpaas::bench

#endif  // TCPAAS_BENCH_BENCH_NETWORK_H_
