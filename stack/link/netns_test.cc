// ScopedNetns (stack/link/netns.h) and the namespace helpers of tests/support.
#include "stack/link/netns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/support/command.h"
#include "tests/support/netns.h"

namespace tcpaas::link {
namespace {

using test::CommandResult;
using test::RunCommand;
using test::TestNetns;

ino_t Inode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_ino;
}
ino_t ThreadNetns() { return Inode("/proc/thread-self/ns/net"); }
bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// Binds a fresh UDP socket, or the socket `fd`, to addr:0 and returns errno (0 on success).
int BindError(int fd, const char* addr) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  inet_pton(AF_INET, addr, &sin.sin_addr);
  return bind(fd, reinterpret_cast<const sockaddr*>(&sin), sizeof(sin)) == 0 ? 0 : errno;
}

TEST(RunCommandTest, CapturesOutputAndExitStatus) {
  const CommandResult r = RunCommand({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.output, "out\nerr\n");
  EXPECT_EQ(RunCommand({"true"}).exit_code, 0);
  EXPECT_EQ(RunCommand({"cat"}).exit_code, 0);  // stdin is /dev/null: no hang
  EXPECT_EQ(RunCommand({"sh", "-c", "kill -9 $$"}).exit_code, 128 + 9);
  const CommandResult missing = RunCommand({"tcpaas-no-such-program"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_NE(missing.output.find("tcpaas-no-such-program"), std::string::npos);
  EXPECT_EQ(RunCommand({}).exit_code, 127);
}

TEST(RunCommandTest, FindsPrograms) {
  EXPECT_TRUE(test::HaveProgram("sh"));
  EXPECT_TRUE(test::HaveProgram("/bin/sh"));
  EXPECT_FALSE(test::HaveProgram("tcpaas-no-such-program"));
  EXPECT_EQ(test::CommandLine({"ip", "netns", "add", "x"}), "ip netns add x");
}

TEST(CanUseNetworkDevicesTest, ReasonIsGivenExactlyWhenRefused) {
  std::string reason;
  const bool ok = test::CanUseNetworkDevices(&reason);
  EXPECT_EQ(ok, reason.empty()) << reason;
  if (geteuid() != 0) {
    EXPECT_FALSE(ok);
  }
}

TEST(ScopedNetnsTest, PathsAndErrorsNeedNoPrivileges) {
  EXPECT_EQ(NetnsPath("x"), "/var/run/netns/x");
  EXPECT_EQ(NetnsPath("/proc/1/ns/net"), "/proc/1/ns/net");
  EXPECT_EQ(ScopedNetns::Enter("").status().code(), absl::StatusCode::kInvalidArgument);
  const ino_t before = ThreadNetns();
  auto missing = ScopedNetns::Enter("tcpaas-no-such-namespace");
  ASSERT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("ip netns add tcpaas-no-such-namespace"),
            std::string::npos)
      << missing.status();
  EXPECT_EQ(ThreadNetns(), before);
}

class WithNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why; !test::CanUseNetworkDevices(&why)) GTEST_SKIP() << why;
    auto ns = TestNetns::Create("netns");
    ASSERT_TRUE(ns.ok()) << ns.status();
    ns_ = *std::move(ns);
  }
  std::unique_ptr<TestNetns> ns_;
};

TEST_F(WithNetns, TestNetnsHasAUniqueNameAndGoesAway) {
  // "tcpaas-netns-<pid>-<n>"
  const std::string prefix = absl::StrCat("tcpaas-netns-", getpid(), "-");
  ASSERT_TRUE(absl::StartsWith(ns_->name(), prefix)) << ns_->name();
  uint64_t n = 0;
  EXPECT_TRUE(absl::SimpleAtoi(ns_->name().substr(prefix.size()), &n)) << ns_->name();
  EXPECT_EQ(ns_->path(), "/var/run/netns/" + ns_->name());
  EXPECT_TRUE(Exists(ns_->path()));

  auto second = TestNetns::Create("netns");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE((*second)->name(), ns_->name());
  const std::string second_path = (*second)->path();
  second->reset();
  EXPECT_FALSE(Exists(second_path));
  EXPECT_TRUE(Exists(ns_->path()));

  EXPECT_EQ(TestNetns::Create("Bad-Tag").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(WithNetns, ExecRunsInsideAndReportsFailures) {
  const CommandResult links = ns_->Run({"ip", "-o", "link", "show"});
  ASSERT_EQ(links.exit_code, 0) << links.output;
  EXPECT_NE(links.output.find("lo:"), std::string::npos);
  EXPECT_NE(links.output.find("LOOPBACK,UP"), std::string::npos) << links.output;
  EXPECT_EQ(links.output.find("\n2:"), std::string::npos) << "only lo lives in a new namespace";

  EXPECT_TRUE(ns_->Exec({"true"}).ok());
  const absl::Status failed = ns_->Exec({"sh", "-c", "echo boom; exit 4"});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("exited with 4"), std::string::npos) << failed;
  EXPECT_NE(failed.message().find("boom"), std::string::npos) << failed;
}

TEST_F(WithNetns, ScopedNetnsMovesOnlyTheCallingThreadAndBack) {
  const ino_t outside = ThreadNetns();
  ASSERT_NE(Inode(ns_->path()), outside);
  {
    // A thread that already runs is not moved along.
    absl::Notification entered;
    ino_t other_thread = 0;
    std::thread other([&] {
      entered.WaitForNotification();
      other_thread = ThreadNetns();
    });
    auto inside = ScopedNetns::Enter(ns_->name());
    entered.Notify();
    other.join();
    ASSERT_TRUE(inside.ok()) << inside.status();
    EXPECT_EQ(ThreadNetns(), Inode(ns_->path()));
    EXPECT_EQ(other_thread, outside);
    ASSERT_TRUE((*inside)->Leave().ok());
    EXPECT_EQ(ThreadNetns(), outside);
    EXPECT_TRUE((*inside)->Leave().ok());  // idempotent; the destructor does nothing more
  }
  EXPECT_EQ(ThreadNetns(), outside);
  {
    auto by_path = ScopedNetns::Enter(ns_->path());
    ASSERT_TRUE(by_path.ok()) << by_path.status();
    EXPECT_EQ(ThreadNetns(), Inode(ns_->path()));
  }  // the destructor leaves
  EXPECT_EQ(ThreadNetns(), outside);
}

TEST_F(WithNetns, SocketsOpenedInsideStayInside) {
  ASSERT_TRUE(ns_->Exec({"ip", "addr", "add", "198.18.5.1/32", "dev", "lo"}).ok());
  int inside_fd = -1;
  {
    auto inside = ScopedNetns::Enter(ns_->name());
    ASSERT_TRUE(inside.ok()) << inside.status();
    inside_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(inside_fd, 0);
  }
  const int outside_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(outside_fd, 0);
  EXPECT_EQ(BindError(outside_fd, "198.18.5.1"), EADDRNOTAVAIL);  // not ours out here
  EXPECT_EQ(BindError(inside_fd, "198.18.5.1"), 0);  // the socket still lives in the namespace
  close(inside_fd);
  close(outside_fd);
}

TEST_F(WithNetns, RemoveStaleTestNamespacesTakesOnlyThoseOfDeadProcesses) {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);  // now a pid nobody uses
  const std::string stale = absl::StrCat("tcpaas-stale-tag-", child, "-0");
  ASSERT_EQ(RunCommand({"ip", "netns", "add", stale}).exit_code, 0);
  const std::string stale_path = "/var/run/netns/" + stale;

  test::RemoveStaleTestNamespaces();
  // A test process running beside this one may be deleting it at the same moment (it is
  // stale for everyone); give that deletion a moment to finish.
  for (int i = 0; i < 100 && Exists(stale_path); ++i) usleep(10'000);
  EXPECT_FALSE(Exists(stale_path));
  if (Exists(stale_path)) RunCommand({"ip", "netns", "del", stale});
  EXPECT_TRUE(Exists(ns_->path()));  // ours: this process is alive
}

}  // namespace
}  // namespace tcpaas::link
