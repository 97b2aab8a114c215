// Tests of the interop harness itself: what it leaves behind (capture kept only on failure,
// no namespace) and that its loss rules really drop packets. The pattern stream needs no
// privileges; the rest skips without root and /dev/net/tun.
#include "tests/interop/interop_harness.h"

#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/interop/kernel_ping.h"
#include "tests/interop/status_assertions.h"
#include "tests/support/command.h"
#include "tests/support/kernel_socket.h"
#include "tests/support/netns.h"
#include "tests/support/pattern_stream.h"

namespace tcpaas::interop {
namespace {

using test::KernelSocket;
using test::PatternStream;

bool NetnsExists(const std::string& name) {
  return std::filesystem::exists(std::filesystem::path("/var/run/netns") / name);
}

TEST(PatternStreamTest, SameSeedSameBytesAndMismatchesAreLocated) {
  std::vector<uint8_t> a(1000), b(1000);
  PatternStream(7).Fill(absl::MakeSpan(a));
  PatternStream split(7);
  split.Fill(absl::MakeSpan(b).subspan(0, 333));  // pieces do not change the stream
  split.Fill(absl::MakeSpan(b).subspan(333));
  EXPECT_EQ(a, b);
  std::vector<uint8_t> other(1000);
  PatternStream(8).Fill(absl::MakeSpan(other));
  EXPECT_NE(a, other);

  PatternStream check(7);
  EXPECT_FALSE(check.Check(absl::MakeConstSpan(a).subspan(0, 500)).has_value());
  a[700] ^= 0x10;
  std::optional<uint64_t> bad = check.Check(absl::MakeConstSpan(a).subspan(500));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(*bad, 700u);
  EXPECT_EQ(check.position(), 1000u);
}

class InteropHarnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    if (!test::CanUseNetworkDevices(&reason)) GTEST_SKIP() << reason;
  }

  // A harness whose teardown believes the run `failed`; the kernel pings the stack once so
  // the capture has frames in it.
  void RunHarness(bool failed, std::string* pcap_path, std::string* netns) {
    InteropOptions options;
    options.name = failed ? "HarnessSelfTest.kept" : "HarnessSelfTest.removed";
    options.failed = [failed] { return failed; };
    auto harness = InteropHarness::Create(options);
    ASSERT_TRUE(harness.ok()) << harness.status();
    *pcap_path = (*harness)->pcap_path();
    *netns = (*harness)->netns();
    EXPECT_TRUE(NetnsExists(*netns));
    auto replies = KernelPing(*netns, kStackAddress, 1, Duration::Seconds(2));
    ASSERT_TRUE(replies.ok()) << replies.status();
    EXPECT_EQ(*replies, 1);
    EXPECT_TRUE(std::filesystem::exists(*pcap_path)) << *pcap_path;
  }
};

TEST_F(InteropHarnessTest, CaptureRemovedAndNamespaceGoneWhenRunPasses) {
  std::string pcap, netns;
  ASSERT_NO_FATAL_FAILURE(RunHarness(/*failed=*/false, &pcap, &netns));
  EXPECT_FALSE(std::filesystem::exists(pcap)) << pcap;
  EXPECT_FALSE(NetnsExists(netns)) << netns;
}

TEST_F(InteropHarnessTest, CaptureKeptAndNamespaceGoneWhenRunFails) {
  std::string pcap, netns;
  ASSERT_NO_FATAL_FAILURE(RunHarness(/*failed=*/true, &pcap, &netns));
  EXPECT_FALSE(NetnsExists(netns)) << netns;
  ASSERT_TRUE(std::filesystem::exists(pcap)) << pcap;
  // The kept capture is complete and readable: it holds the echo exchange.
  if (test::HaveProgram("tcpdump")) {
    test::CommandResult r = test::RunCommand({"tcpdump", "-r", pcap, "-nn"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("ICMP echo reply"), std::string::npos) << r.output;
  } else {
    EXPECT_GT(std::filesystem::file_size(pcap), 24u) << "only a pcap header";
  }
  std::filesystem::remove(pcap);
}

// The kernel side of the harness, kernel to kernel inside the namespace: lines, EOF, an
// abortive close seen as kAborted, and a read that times out instead of hanging.
TEST_F(InteropHarnessTest, KernelSocketsWorkInsideTheNamespace) {
  InteropOptions options;
  options.name = "HarnessSelfTest.kernel";
  options.kernel_io_timeout = Duration::Millis(300);
  auto harness = InteropHarness::Create(options);
  ASSERT_TRUE(harness.ok()) << harness.status();
  InteropHarness& h = **harness;
  auto listener = h.KernelListen(Port(6000));
  ASSERT_TRUE(listener.ok()) << listener.status();
  auto client =
      KernelSocket::Connect(h.netns(), Endpoint{kKernelAddress, Port(6000)}, Duration::Millis(300));
  ASSERT_TRUE(client.ok()) << client.status();
  auto server = listener->Accept();
  ASSERT_TRUE(server.ok()) << server.status();

  ASSERT_TRUE(client->WriteAll("one line\n").ok());
  auto line = server->ReadLine();
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, "one line\n");
  std::array<uint8_t, 8> buf;
  auto nothing = server->ReadSome(absl::MakeSpan(buf));
  EXPECT_EQ(nothing.status().code(), absl::StatusCode::kDeadlineExceeded) << nothing.status();

  ASSERT_TRUE(client->SetAbortOnClose().ok());
  client->Close();
  auto reset = server->ReadSome(absl::MakeSpan(buf));
  EXPECT_EQ(reset.status().code(), absl::StatusCode::kAborted) << reset.status();
}

TEST_F(InteropHarnessTest, LossRulesDropTcpBothWays) {
  InteropOptions options;
  options.name = "HarnessSelfTest.loss";
  auto harness = InteropHarness::Create(options);
  ASSERT_TRUE(harness.ok()) << harness.status();
  InteropHarness& h = **harness;
  auto our_listener = h.tcp().Listen(Port(7003));
  ASSERT_TRUE(our_listener.ok()) << our_listener.status();
  auto kernel_listener = h.KernelListen(Port(5009));
  ASSERT_TRUE(kernel_listener.ok()) << kernel_listener.status();

  // Everything lost: neither side's SYN arrives.
  ASSERT_OK(h.SetTcpLoss(1000));
  auto kernel_client =
      KernelSocket::Connect(h.netns(), Endpoint{kStackAddress, Port(7003)}, Duration::Seconds(1));
  EXPECT_FALSE(kernel_client.ok()) << "the kernel's SYN got through";
  auto ours = h.tcp().Connect(Endpoint{kKernelAddress, Port(5009)});
  ASSERT_TRUE(ours.ok()) << ours.status();
  EXPECT_FALSE((*ours)->WaitEstablished(Duration::Millis(1500)).ok()) << "our SYN got through";
  EXPECT_TRUE((*ours)->Abort().ok());
  auto drops = h.LossDrops();
  ASSERT_TRUE(drops.ok()) << drops.status();
  EXPECT_GE(drops->first, 1u);   // our SYN and its retransmission
  EXPECT_GE(drops->second, 1u);  // the kernel's SYN and its retransmission

  // Rules removed: the kernel's connect goes through, and the tables are gone.
  ASSERT_OK(h.SetTcpLoss(0));
  auto open =
      KernelSocket::Connect(h.netns(), Endpoint{kStackAddress, Port(7003)}, Duration::Seconds(5));
  EXPECT_TRUE(open.ok()) << open.status();
  EXPECT_FALSE(h.LossDrops().ok()) << "the loss tables should be gone";
}

}  // namespace
}  // namespace tcpaas::interop
