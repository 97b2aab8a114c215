#include "stack/link/tap_device.h"

#include <arpa/inet.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "stack/link/netns.h"
#include "stack/wire/arp.h"
#include "stack/wire/ethernet.h"
#include "tests/support/frames.h"
#include "tests/support/netns.h"

namespace tcpaas::link {
namespace {

using test::TestNetns;

const MacAddress kOurMac({0x02, 0x00, 0x5e, 0x00, 0x00, 0x02});
const Ipv4Address kOurIp = Ipv4Address::FromOctets(198, 18, 0, 2);
const Ipv4Address kKernelIp = Ipv4Address::FromOctets(198, 18, 0, 1);
constexpr char kTapName[] = "tcpaas0";

ino_t ThreadNetns() {
  struct stat st {};
  stat("/proc/thread-self/ns/net", &st);
  return st.st_ino;
}

TEST(TapDeviceTest, RefusesBadOptionsBeforeTouchingTheSystem) {
  const struct {
    TapOptions options;
    absl::StatusCode code;
  } cases[] = {
      {{.name = "a-name-of-16-chr"}, absl::StatusCode::kInvalidArgument},
      {{.name = "bad/name"}, absl::StatusCode::kInvalidArgument},
      {{.name = "t", .mtu = 67}, absl::StatusCode::kInvalidArgument},
      {{.name = "t", .mtu = 65536}, absl::StatusCode::kInvalidArgument},
      {{.name = "t", .mac = MacAddress::Broadcast()}, absl::StatusCode::kInvalidArgument},
      {{.name = "t", .vnet_hdr = true}, absl::StatusCode::kUnimplemented},
      {{.name = "t", .queues = 2}, absl::StatusCode::kUnimplemented},
      {{.name = "t", .netns = "tcpaas-no-such-namespace"}, absl::StatusCode::kNotFound},
  };
  for (const auto& c : cases) {
    auto tap = TapDevice::Create(c.options);
    EXPECT_EQ(tap.status().code(), c.code) << c.options.name << ": " << tap.status();
  }
}

class TapInNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why; !test::CanUseNetworkDevices(&why)) GTEST_SKIP() << why;
    auto ns = TestNetns::Create("tap");
    ASSERT_TRUE(ns.ok()) << ns.status();
    ns_ = *std::move(ns);
  }

  TapOptions Options() const {
    TapOptions o;
    o.name = kTapName;
    o.netns = ns_->name();
    o.mac = kOurMac;
    return o;
  }

  // `ip -o link show <tap>` inside the namespace, or the failure output.
  std::string LinkShow() { return ns_->Run({"ip", "-o", "link", "show", kTapName}).output; }

  std::unique_ptr<TestNetns> ns_;
};

// Reads frames until `match` accepts one or `timeout` of wall time passes (a real kernel
// answers in microseconds; the timeout only bounds a failure).
std::optional<std::vector<uint8_t>> ReceiveMatching(
    TapDevice& tap, const std::function<bool(absl::Span<const uint8_t>)>& match,
    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<uint8_t> buf(tap.mtu() + wire::kEthernetHeaderSize);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{tap.fd(), POLLIN, 0};
    poll(&p, 1, 50);
    absl::StatusOr<size_t> n = tap.Receive(absl::MakeSpan(buf), Instant::Zero());
    if (!n.ok()) {
      ADD_FAILURE() << n.status();
      return std::nullopt;
    }
    if (*n > 0 && match(absl::MakeConstSpan(buf.data(), *n))) {
      return std::vector<uint8_t>(buf.begin(), buf.begin() + *n);
    }
  }
  return std::nullopt;
}

TEST_F(TapInNetns, KernelAnswersOurArpRequest) {
  const ino_t before = ThreadNetns();
  auto tap = TapDevice::Create(Options());
  ASSERT_TRUE(tap.ok()) << tap.status();
  EXPECT_EQ(ThreadNetns(), before);  // Create() went into the namespace and came back
  EXPECT_EQ((*tap)->name(), kTapName);
  EXPECT_EQ((*tap)->mac(), kOurMac);
  EXPECT_EQ((*tap)->link_layer(), LinkLayer::kEthernet);
  ASSERT_TRUE(ns_->Exec({"ip", "addr", "add", "198.18.0.1/24", "dev", kTapName}).ok());
  const std::string kernel_mac_text(absl::StripTrailingAsciiWhitespace(
      ns_->Run({"cat", std::string("/sys/class/net/") + kTapName + "/address"}).output));
  const std::optional<MacAddress> kernel_mac = MacAddress::Parse(kernel_mac_text);
  ASSERT_TRUE(kernel_mac.has_value()) << kernel_mac_text;

  ASSERT_TRUE(
      (*tap)->Transmit(test::ArpRequestFrame(kOurMac, kOurIp, kKernelIp), Instant::Zero()).ok());

  auto is_reply = [](absl::Span<const uint8_t> frame) {
    auto eth = wire::EthernetView::Parse(frame);
    if (!eth || eth->ethertype() != wire::kEtherTypeArp) return false;  // e.g. IPv6 chatter
    auto arp = wire::ArpPacket::Parse(eth->payload());
    return arp && arp->op == wire::kArpOpReply && arp->sender_ip == kKernelIp;
  };
  const std::optional<std::vector<uint8_t>> reply = ReceiveMatching(**tap, is_reply);
  ASSERT_TRUE(reply.has_value()) << "no ARP reply from the kernel";
  const auto eth = wire::EthernetView::Parse(*reply);
  EXPECT_EQ(eth->dst(), kOurMac);
  EXPECT_EQ(eth->src(), *kernel_mac);
  const auto arp = wire::ArpPacket::Parse(eth->payload());
  EXPECT_EQ(arp->sender_mac, *kernel_mac);
  EXPECT_EQ(arp->target_mac, kOurMac);
  EXPECT_EQ(arp->target_ip, kOurIp);

  // The kernel also learnt our address from the request.
  const std::string neigh = ns_->Run({"ip", "neigh", "show", "198.18.0.2"}).output;
  EXPECT_NE(neigh.find(kOurMac.ToString()), std::string::npos) << neigh;
}

TEST_F(TapInNetns, KernelTrafficReachesTheFd) {
  auto tap = TapDevice::Create(Options());
  ASSERT_TRUE(tap.ok()) << tap.status();
  ASSERT_TRUE(ns_->Exec({"ip", "addr", "add", "198.18.0.1/24", "dev", kTapName}).ok());
  // A datagram to our address makes the kernel ask for our MAC. The socket is opened inside
  // the namespace; sendto() returns at once (the kernel queues it while resolving).
  {
    auto inside = ScopedNetns::Enter(ns_->name());
    ASSERT_TRUE(inside.ok()) << inside.status();
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);  // discard
    to.sin_addr.s_addr = htonl(kOurIp.value());
    EXPECT_EQ(sendto(fd, "x", 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to)), 1)
        << std::strerror(errno);
    close(fd);
  }
  auto is_request = [](absl::Span<const uint8_t> frame) {
    auto eth = wire::EthernetView::Parse(frame);
    if (!eth || eth->ethertype() != wire::kEtherTypeArp || !eth->dst().is_broadcast()) return false;
    auto arp = wire::ArpPacket::Parse(eth->payload());
    return arp && arp->op == wire::kArpOpRequest && arp->target_ip == kOurIp;
  };
  EXPECT_TRUE(ReceiveMatching(**tap, is_request).has_value())
      << "the kernel's ARP request never came";
}

TEST_F(TapInNetns, KernelSideGetsMtuAndUpFlag) {
  TapOptions options = Options();
  options.mtu = 1400;
  auto tap = TapDevice::Create(options);
  ASSERT_TRUE(tap.ok()) << tap.status();
  EXPECT_EQ((*tap)->mtu(), 1400u);
  const std::string up = LinkShow();
  EXPECT_NE(up.find("mtu 1400"), std::string::npos) << up;
  EXPECT_NE(up.find(",UP"), std::string::npos) << up;
  tap->reset();

  options.bring_up = false;
  options.mtu = 9000;
  tap = TapDevice::Create(options);
  ASSERT_TRUE(tap.ok()) << tap.status();
  const std::string down = LinkShow();
  EXPECT_NE(down.find("mtu 9000"), std::string::npos) << down;
  EXPECT_EQ(down.find(",UP"), std::string::npos) << down;
  // A down interface sends nothing: Receive finds no frame and says 0, without blocking.
  std::vector<uint8_t> buf(9014);
  absl::StatusOr<size_t> n = (*tap)->Receive(absl::MakeSpan(buf), Instant::Zero());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0u);
}

TEST_F(TapInNetns, DeviceLivesExactlyAsLongAsTheObject) {
  auto tap = TapDevice::Create(Options());
  ASSERT_TRUE(tap.ok()) << tap.status();
  EXPECT_EQ(ns_->Run({"ip", "link", "show", kTapName}).exit_code, 0);
  // The name is taken while we hold it.
  auto again = TapDevice::Create(Options());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists) << again.status();
  tap->reset();
  EXPECT_NE(ns_->Run({"ip", "link", "show", kTapName}).exit_code, 0);
  // ...and free again afterwards.
  EXPECT_TRUE(TapDevice::Create(Options()).ok());
}

TEST_F(TapInNetns, RandomMacWhenNoneIsGiven) {
  TapOptions options = Options();
  options.mac = MacAddress();
  auto first = TapDevice::Create(options);
  options.name = "tcpaas1";
  auto second = TapDevice::Create(options);
  ASSERT_TRUE(first.ok() && second.ok());
  for (const MacAddress mac : {(*first)->mac(), (*second)->mac()}) {
    EXPECT_FALSE(mac.is_zero());
    EXPECT_FALSE(mac.is_multicast());
    EXPECT_EQ(mac.bytes()[0] & 0x02, 0x02) << mac;  // locally administered
  }
  EXPECT_NE((*first)->mac(), (*second)->mac());
}

TEST_F(TapInNetns, KernelChoosesTheNameWhenNoneIsGiven) {
  TapOptions options = Options();
  options.name = "";
  auto tap = TapDevice::Create(options);
  ASSERT_TRUE(tap.ok()) << tap.status();
  EXPECT_EQ((*tap)->name().rfind("tap", 0), 0u) << (*tap)->name();
  EXPECT_EQ(ns_->Run({"ip", "link", "show", (*tap)->name()}).exit_code, 0);
}

// Drops CAP_NET_ADMIN from the calling thread's effective set (capabilities are per thread),
// so that root can see the error an unprivileged tcpaasd would get.
bool DropNetAdminFromThisThread() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &= ~CAP_TO_MASK(CAP_NET_ADMIN);
  return syscall(SYS_capset, &header, data) == 0;
}

TEST_F(TapInNetns, MissingPrivilegeSaysWhatIsNeeded) {
  absl::Status status;
  bool dropped = false;
  // A thread of its own, which ends with its reduced capabilities.
  std::thread([&] {
    dropped = DropNetAdminFromThisThread();
    if (dropped) status = TapDevice::Create(Options()).status();
  }).join();
  ASSERT_TRUE(dropped) << std::strerror(errno);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_NE(status.message().find("needs root or CAP_NET_ADMIN"), std::string::npos) << status;
}

TEST_F(TapInNetns, OversizedFramesAreRefused) {
  auto tap = TapDevice::Create(Options());
  ASSERT_TRUE(tap.ok()) << tap.status();
  std::vector<uint8_t> frame(1515);
  EXPECT_EQ((*tap)->Transmit(frame, Instant::Zero()).code(), absl::StatusCode::kInvalidArgument);
  frame.resize(10);
  EXPECT_EQ((*tap)->Transmit(frame, Instant::Zero()).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tcpaas::link
