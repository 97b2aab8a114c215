// One lossy path into a Linux receiver, shared by two senders: our stack and the Linux
// kernel's TCP, each in its own namespace end (bench/README.md, "Topology").
//
//   namespace tcpaas-<tag>-<pid>-<n> ("receiver")          namespace tcpaas-<tag>-<pid>-<m>
//     receiver: kernel socket on br0 198.18.0.1:5201       ("Linux sender")
//     br0 (bridge) --+-- tap0 ==== our stack 198.18.0.2      eth0 198.18.0.3
//                    +-- vsend <======= veth =======>        (gso_max_segs 1)
//     nftables: table bridge tcpaas_bench_loss (loss_rules.h) on br0's input and output
//     tc netem delay on br0's egress when asked and the kernel has netem (the ACKs of both)
//
// Both senders reach the same receiver socket through the same bridge, the same loss rules
// and the same delay; only the sender's TCP differs. Used by the loss benchmark (bench/) and
// the interop loss test (tests/interop/). Destroying the object stops the stack and deletes
// both namespaces, with every device in them.
#ifndef TCPAAS_TESTS_SUPPORT_SHARED_PATH_NETWORK_H_
#define TCPAAS_TESTS_SUPPORT_SHARED_PATH_NETWORK_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "stack/base/time.h"
#include "stack/runtime/stack_thread.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"
#include "tests/support/blocking_tcp.h"
#include "tests/support/kernel_socket.h"
#include "tests/support/loss_rules.h"
#include "tests/support/netns.h"
#include "tests/support/tap_stack.h"

namespace tcpaas::test {

struct SharedPathOptions {
  // Names the namespaces: tcpaas-<netns_tag>-<pid>-<n> (see TestNetns::Create).
  std::string netns_tag = "path";
  size_t mtu = 1500;
  tcp::TcpConfig tcp;  // our stack's settings
  // Round-trip time added with netem on the bridge, when the kernel has netem; zero: none.
  Duration added_rtt = Duration::Zero();
  // SO_RCVTIMEO/SO_SNDTIMEO of the kernel sockets: the longest a transfer may stall.
  Duration stall_timeout = Duration::Seconds(60);
  // When set, every frame of our stack is recorded here (headers only).
  std::string pcap_path;
  // Told each namespace's name right after it is made and right before it is deleted (the
  // benchmark removes them itself when interrupted).
  std::function<void(const std::string&)> on_netns_created;
  std::function<void(const std::string&)> on_netns_deleting;
};

class SharedPathNetwork {
 public:
  static constexpr Ipv4Address kReceiverAddress = Ipv4Address::FromOctets(198, 18, 0, 1);
  static constexpr Ipv4Address kStackAddress = Ipv4Address::FromOctets(198, 18, 0, 2);
  static constexpr Ipv4Address kLinuxSenderAddress = Ipv4Address::FromOctets(198, 18, 0, 3);
  static constexpr int kPrefixLength = 24;
  static constexpr Port kReceiverPort = Port(5201);

  static absl::StatusOr<std::unique_ptr<SharedPathNetwork>> Create(SharedPathOptions options);
  ~SharedPathNetwork();
  SharedPathNetwork(const SharedPathNetwork&) = delete;
  SharedPathNetwork& operator=(const SharedPathNetwork&) = delete;

  const std::string& receiver_netns() const { return receiver_ns_->name(); }
  const std::string& sender_netns() const { return sender_ns_->name(); }
  // What the path adds to the RTT: "netem 10ms on br0" or why nothing was added.
  const std::string& delay_note() const { return delay_note_; }
  const SharedPathOptions& options() const { return options_; }

  // Our stack (the TAP end of the bridge).
  BlockingTcp& tcp() { return stack_->tcp(); }
  runtime::StackThread& stack() { return stack_->stack(); }

  // The receiver: the next connection to 198.18.0.1:5201.
  absl::StatusOr<KernelSocket> AcceptAtReceiver();
  // A kernel socket in the Linux sender's namespace, connected to the receiver.
  absl::StatusOr<KernelSocket> ConnectLinuxSender();

  // The Linux sender's default congestion control (its namespace's
  // net.ipv4.tcp_congestion_control), or why it could not be read.
  std::string LinuxDefaultCongestionControl();

  // Installs the counting and loss rules for the receiver's port (loss_rules.h), replacing
  // earlier ones and their counts.
  absl::Status SetLoss(int per_mille);
  absl::Status ClearLoss();
  absl::StatusOr<LossCounters> ReadLossCounters();

 private:
  explicit SharedPathNetwork(SharedPathOptions options) : options_(std::move(options)) {}
  absl::Status Init();
  absl::StatusOr<std::unique_ptr<TestNetns>> MakeNamespace();
  void DeleteNamespace(std::unique_ptr<TestNetns>& ns);
  absl::Status CreateNamespaces();
  absl::Status WireBridge();
  absl::Status StartStack();
  absl::Status AddDelay();
  absl::Status ApplyNft(const std::string& script);

  SharedPathOptions options_;
  std::unique_ptr<TestNetns> receiver_ns_;
  std::unique_ptr<TestNetns> sender_ns_;
  std::string delay_note_;
  std::unique_ptr<TapStack> stack_;
  KernelSocket listener_;
};

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_SHARED_PATH_NETWORK_H_
