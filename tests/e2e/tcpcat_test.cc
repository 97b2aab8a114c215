// tcpcat against the sandbox's echo, chargen and HTTP services, and in listen mode against a
// kernel client: the README's copy-paste command lines, with --server pointed at this test's
// daemon. Each runs through `sh -c` exactly as a user would type it.
#include <sys/socket.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/kernel_socket.h"
#include "tests/support/command.h"

namespace tcpaas::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class TcpcatTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    char dir_template[] = "/tmp/tcpaas-tcpcat-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
  }
  void TearDown() override {
    if (!dir_.empty()) test::RunCommand({"rm", "-rf", dir_});
    E2eTest::TearDown();
  }

  // Runs `line` with sh, after replacing the word "tcpcat" with the built binary and its
  // --server flag. stdout goes to <dir>/out, stderr to <dir>/err.
  int Shell(const std::string& line) {
    std::string command = absl::StrReplaceAll(
        absl::StrCat(" ", line),
        {{" tcpcat ", absl::StrCat(" ", TcpcatPath(), " --server=", daemon().grpc_target(), " ")}});
    const test::CommandResult r =
        test::RunCommand({"sh", "-c", absl::StrCat("cd ", dir_, " && (", command, ") >out 2>err")});
    out_ = ReadFile(dir_ + "/out");
    err_ = ReadFile(dir_ + "/err");
    return r.exit_code;
  }

  std::string dir_;
  std::string out_;
  std::string err_;
};

TEST_F(TcpcatTest, EchoLine) {
  ASSERT_EQ(Shell("echo hello | tcpcat 198.18.0.1 7"), 0) << err_;
  EXPECT_EQ(out_, "hello\n");
}

TEST_F(TcpcatTest, EchoLineOverDial) {
  ASSERT_EQ(Shell("echo hello | tcpcat --transport=dial 198.18.0.1 7"), 0) << err_;
  EXPECT_EQ(out_, "hello\n");
}

TEST_F(TcpcatTest, EchoFiveMegabytesBothTransports) {
  ASSERT_EQ(Shell("head -c 5000000 /dev/urandom > in"), 0) << err_;
  for (const char* transport : {"sendrecv", "dial"}) {
    SCOPED_TRACE(transport);
    ASSERT_EQ(Shell(absl::StrCat("tcpcat --transport=", transport, " 198.18.0.1 7 < in > echoed")),
              0)
        << err_;
    EXPECT_EQ(Shell("cmp in echoed"), 0) << out_;
  }
}

TEST_F(TcpcatTest, HttpPage) {
  ASSERT_EQ(Shell("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | tcpcat 198.18.0.1 80"), 0) << err_;
  EXPECT_THAT(out_, StartsWith("HTTP/1."));
  EXPECT_THAT(out_, HasSubstr(" 200 "));
}

TEST_F(TcpcatTest, HttpBytesWithStats) {
  ASSERT_EQ(Shell("printf 'GET /bytes/100000 HTTP/1.0\\r\\n\\r\\n' | tcpcat --stats 198.18.0.1 80"),
            0)
      << err_;
  const size_t body = out_.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos) << out_.substr(0, 200);
  EXPECT_EQ(out_.size() - body - 4, 100000u);
  EXPECT_THAT(out_, HasSubstr("Content-Length: 100000"));
  // --stats: the connection's TCP statistics on stderr.
  EXPECT_THAT(err_, HasSubstr("srtt="));
  EXPECT_THAT(err_, HasSubstr("received=100"));
  EXPECT_THAT(err_, HasSubstr("198.18.0.1:80"));
}

TEST_F(TcpcatTest, ChargenIntoHeadEndsQuietly) {
  ASSERT_EQ(Shell("tcpcat 198.18.0.1 19 </dev/null | head -c 1000"), 0) << err_;
  EXPECT_EQ(out_.size(), 1000u);
  EXPECT_EQ(err_, "");
}

TEST_F(TcpcatTest, RefusedExitsNonZeroWithTheStatus) {
  EXPECT_EQ(Shell("tcpcat 198.18.0.1 5 </dev/null"), 1);
  EXPECT_THAT(err_, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(absl::AsciiStrToLower(err_), HasSubstr("refused"));
}

TEST_F(TcpcatTest, NoServerExitsNonZeroWithAHint) {
  // Replace the server address by one nobody listens on.
  const std::string line = absl::StrCat(TcpcatPath(), " --server=127.0.0.1:1 198.18.0.1 7");
  const test::CommandResult r = test::RunCommand({"sh", "-c", line});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(r.output, HasSubstr("is tcpaasd running"));
}

TEST_F(TcpcatTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Shell("tcpcat 198.18.0.1"), 2);
  EXPECT_THAT(err_, HasSubstr("usage"));
  EXPECT_EQ(Shell("tcpcat 198.18.0.1 0"), 2);
  EXPECT_EQ(Shell("tcpcat --transport=carrier-pigeon 198.18.0.1 7"), 2);
}

TEST_F(TcpcatTest, ListenAcceptsOneConnection) {
  constexpr uint16_t kPort = 8082;
  int exit_code = -1;
  std::thread tcpcat([&] { exit_code = Shell("echo from-tcpcat | tcpcat -l 8082"); });
  // The kernel side of the sandbox is the client; the retry covers tcpcat's start-up.
  absl::StatusOr<std::string> got = [&]() -> absl::StatusOr<std::string> {
    absl::StatusOr<Fd> peer = ConnectIn(daemon().sandbox(), kStackAddress, kPort,
                                        /*retry_for=*/absl::Seconds(20));
    if (!peer.ok()) return peer.status();
    SetTimeouts(peer->get(), absl::Seconds(20));
    if (absl::Status s = SendAll(peer->get(), "from-kernel\n"); !s.ok()) return s;
    shutdown(peer->get(), SHUT_WR);
    return ReadToEof(peer->get());
  }();
  tcpcat.join();
  ASSERT_TRUE(got.ok()) << got.status() << "\ntcpcat: " << err_;
  EXPECT_EQ(*got, "from-tcpcat\n");
  EXPECT_EQ(exit_code, 0) << err_;
  EXPECT_EQ(out_, "from-kernel\n");
}

}  // namespace
}  // namespace tcpaas::e2e
