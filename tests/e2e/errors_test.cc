// Each row of the error lists in proto/tcpaas/v1/tcp.proto: the status code, and a message
// that names the cause (and, after data moved, the bytes the peer acknowledged).
#include <sys/socket.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/kernel_socket.h"
#include "tests/e2e/rpc_helpers.h"
#include "tests/support/command.h"

namespace tcpaas::e2e {
namespace {

using ::testing::HasSubstr;

class ErrorsTest : public E2eTest {
 protected:
  grpc::Status Connect(const std::string& host, uint32_t port, uint32_t connect_timeout_ms = 0,
                       std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
    grpc::ClientContext context;
    context.set_deadline(In(deadline));
    v1::ConnectRequest request;
    request.set_host(host);
    request.set_port(port);
    request.set_connect_timeout_ms(connect_timeout_ms);
    v1::ConnectResponse response;
    return stub().Connect(&context, request, &response);
  }

  // The kernel side of the sandbox silently drops SYNs to `port` (nftables in the sandbox
  // namespace, which disappears with the daemon). False when nft is missing.
  bool BlackholePort(uint16_t port) {
    if (!test::HaveProgram("nft")) return false;
    const std::string& ns = daemon().sandbox();
    const std::vector<std::vector<std::string>> commands = {
        {"ip", "netns", "exec", ns, "nft", "add", "table", "inet", "e2e"},
        {"ip", "netns", "exec", ns, "nft", "add", "chain", "inet", "e2e", "in",
         "{ type filter hook input priority 0; }"},
        {"ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "e2e", "in", "tcp", "dport",
         std::to_string(port), "drop"},
    };
    for (const auto& argv : commands) {
      const test::CommandResult r = test::RunCommand(argv);
      EXPECT_EQ(r.exit_code, 0) << test::CommandLine(argv) << ": " << r.output;
      if (r.exit_code != 0) return false;
    }
    return true;
  }
};

// Lower-case, so checks do not depend on how a message capitalizes its cause.
std::string Lower(const grpc::Status& s) { return absl::AsciiStrToLower(s.error_message()); }

TEST_F(ErrorsTest, RefusedIsUnavailable) {
  const grpc::Status status = Connect(kKernelAddress, 5);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(status);
  EXPECT_THAT(Lower(status), HasSubstr("refused"));
}

TEST_F(ErrorsTest, UnreachableHostIsUnavailable) {
  // Nobody answers ARP for .99 on the sandbox link.
  const grpc::Status status = Connect("198.18.0.99", 80, /*connect_timeout_ms=*/5000);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(status);
}

TEST_F(ErrorsTest, SynTimeoutIsUnavailable) {
  if (!BlackholePort(7777)) GTEST_SKIP() << "needs nft to drop SYNs in the sandbox";
  const auto start = std::chrono::steady_clock::now();
  const grpc::Status status = Connect(kKernelAddress, 7777, /*connect_timeout_ms=*/1500);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(status);
  EXPECT_THAT(Lower(status), ::testing::AnyOf(HasSubstr("timeout"), HasSubstr("timed out")));
  EXPECT_GE(took, std::chrono::milliseconds(1400));
  EXPECT_LT(took, std::chrono::seconds(15));
}

TEST_F(ErrorsTest, ConnectDeadlineIsDeadlineExceeded) {
  if (!BlackholePort(7778)) GTEST_SKIP() << "needs nft to drop SYNs in the sandbox";
  const grpc::Status status =
      Connect(kKernelAddress, 7778, 0, /*deadline=*/std::chrono::milliseconds(500));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << Describe(status);
  // The abandoned handshake does not linger as a connection.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(10)));
  v1::ListConnectionsResponse list;
  ASSERT_TRUE(stub().ListConnections(&context, v1::ListConnectionsRequest(), &list).ok());
  EXPECT_EQ(list.connections_size(), 0);
}

TEST_F(ErrorsTest, RecvDeadlineIsDeadlineExceeded) {
  const v1::Connection c = MustConnect(kKernelAddress, kDiscardPort);  // never sends
  const RecvResult r = RecvCall(stub(), c.id(), std::chrono::milliseconds(300));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << Describe(r.status);
  // The connection survives its reader's deadline.
  v1::Connection after;
  EXPECT_TRUE(GetConnectionCall(stub(), c.id(), &after).ok());
  EXPECT_TRUE(CloseCall(stub(), c.id()).status.ok());
}

TEST_F(ErrorsTest, UnknownIdIsNotFound) {
  const std::string id = UnknownId();
  const SendResult send = SendCall(stub(), id, "x", false);
  EXPECT_EQ(send.status.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(send.status);
  const RecvResult recv = RecvCall(stub(), id);
  EXPECT_EQ(recv.status.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(recv.status);
  const CloseResult close = CloseCall(stub(), id);
  EXPECT_EQ(close.status.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(close.status);
  const CloseResult abort = CloseCall(stub(), id, /*abort=*/true);
  EXPECT_EQ(abort.status.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(abort.status);
  v1::Connection c;
  const grpc::Status get = GetConnectionCall(stub(), id, &c);
  EXPECT_EQ(get.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(get);
}

TEST_F(ErrorsTest, BadConnectArgumentsAreInvalidArgument) {
  const struct {
    const char* host;
    uint32_t port;
  } kCases[] = {
      {"", 7},           {"not-an-address", 7}, {"198.18.0", 7},
      {"198.18.0.1", 0}, {"198.18.0.1", 65536}, {"198.18.0.1", 70000},
  };
  for (const auto& c : kCases) {
    const grpc::Status status = Connect(c.host, c.port);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << "host \"" << c.host << "\" port " << c.port << ": " << Describe(status);
    EXPECT_FALSE(status.error_message().empty());
  }
}

TEST_F(ErrorsTest, BadListenArgumentsAreInvalidArgument) {
  for (uint32_t port : {0u, 65536u}) {
    grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(30)));
    v1::ListenRequest request;
    request.set_port(port);
    auto call = stub().Listen(&context, request);
    v1::ListenResponse response;
    EXPECT_FALSE(call->Read(&response));
    const grpc::Status status = call->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << "port " << port << ": " << Describe(status);
  }
}

TEST_F(ErrorsTest, SecondListenerOnAPortIsAlreadyExists) {
  grpc::ClientContext first_context;
  first_context.set_deadline(In(std::chrono::seconds(60)));
  v1::ListenRequest request;
  request.set_port(8090);
  auto first = stub().Listen(&first_context, request);
  first->WaitForInitialMetadata();
  grpc::ClientContext second_context;
  second_context.set_deadline(In(std::chrono::seconds(30)));
  auto second = stub().Listen(&second_context, request);
  v1::ListenResponse response;
  EXPECT_FALSE(second->Read(&response));
  const grpc::Status status = second->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << Describe(status);
  first_context.TryCancel();
  while (first->Read(&response)) {
  }
  first->Finish();
}

TEST_F(ErrorsTest, SendWithoutIdIsInvalidArgument) {
  const SendResult r = SendCall(stub(), /*id=*/"", "data", false);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(r.status);
}

TEST_F(ErrorsTest, DataAfterFinIsInvalidArgument) {
  const v1::Connection c = MustConnect(kKernelAddress, kDiscardPort);
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(30)));
  v1::SendResponse response;
  auto call = stub().Send(&context, &response);
  v1::SendRequest with_fin;
  with_fin.set_connection_id(c.id());
  with_fin.set_data("last");
  with_fin.set_fin(true);
  v1::SendRequest after;
  after.set_data("too late");
  call->Write(with_fin);
  call->Write(after);
  call->WritesDone();
  const grpc::Status status = call->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(status);
  EXPECT_THAT(Lower(status), HasSubstr("fin"));
  CloseCall(stub(), c.id(), /*abort=*/true);
}

TEST_F(ErrorsTest, SecondSendOrRecvStreamIsFailedPrecondition) {
  const v1::Connection c = MustConnect(kKernelAddress, kDiscardPort);
  // A Recv that stays open (discard never sends), then a second one.
  grpc::ClientContext first_recv_context;
  first_recv_context.set_deadline(In(std::chrono::seconds(60)));
  v1::RecvRequest recv_request;
  recv_request.set_connection_id(c.id());
  auto first_recv = stub().Recv(&first_recv_context, recv_request);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the service takes it
  const RecvResult second_recv = RecvCall(stub(), c.id(), std::chrono::seconds(10));
  EXPECT_EQ(second_recv.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << Describe(second_recv.status);

  // A Send that stays open, then a second one.
  grpc::ClientContext first_send_context;
  first_send_context.set_deadline(In(std::chrono::seconds(60)));
  v1::SendResponse first_send_response;
  auto first_send = stub().Send(&first_send_context, &first_send_response);
  v1::SendRequest hello;
  hello.set_connection_id(c.id());
  hello.set_data("hello");
  ASSERT_TRUE(first_send->Write(hello));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const SendResult second_send = SendCall(stub(), c.id(), "again", false);
  EXPECT_EQ(second_send.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << Describe(second_send.status);

  first_send->WritesDone();
  EXPECT_TRUE(first_send->Finish().ok());
  first_recv_context.TryCancel();
  v1::RecvResponse ignored;
  while (first_recv->Read(&ignored)) {
  }
  first_recv->Finish();
  CloseCall(stub(), c.id());
}

// A kernel peer that reads `read_before_reset` bytes, then resets the connection.
TEST_F(ErrorsTest, PeerResetMidTransferIsAbortedWithBytesAcknowledged) {
  constexpr uint16_t kPort = 9400;
  constexpr size_t kReadBeforeReset = 1 << 20;
  absl::StatusOr<Fd> listener = ListenIn(daemon().sandbox(), kKernelAddress, kPort);
  ASSERT_TRUE(listener.ok()) << listener.status();
  const v1::Connection c = MustConnect(kKernelAddress, kPort);
  absl::StatusOr<Fd> peer = AcceptWithin(listener->get(), absl::Seconds(10));
  ASSERT_TRUE(peer.ok()) << peer.status();
  SetTimeouts(peer->get(), absl::Seconds(30));

  std::thread resetter([fd = std::move(*peer)]() mutable {
    std::string buf(65536, '\0');
    size_t total = 0;
    while (total < kReadBeforeReset) {
      const ssize_t n = recv(fd.get(), buf.data(), buf.size(), 0);
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
    CloseWithReset(std::move(fd));
  });
  // Far more than the peer reads and the buffers on the way hold.
  const SendResult sent = SendCall(stub(), c.id(), std::string(64 << 20, 's'), false);
  resetter.join();
  EXPECT_EQ(sent.status.error_code(), grpc::StatusCode::ABORTED) << Describe(sent.status);
  EXPECT_THAT(Lower(sent.status), HasSubstr("reset"));
  EXPECT_THAT(Lower(sent.status), HasSubstr("acknowledged"));
  // The message states how much the peer acknowledged: at least what it read.
  bool has_number = false;
  for (absl::string_view word : absl::StrSplit(sent.status.error_message(), ' ')) {
    uint64_t n = 0;
    if (absl::SimpleAtoi(absl::StripSuffix(absl::StripSuffix(word, ","), ")"), &n) &&
        n >= kReadBeforeReset) {
      has_number = true;
    }
  }
  EXPECT_TRUE(has_number) << "no byte count >= " << kReadBeforeReset << " in \""
                          << sent.status.error_message() << "\"";

  const RecvResult recv = RecvCall(stub(), c.id(), std::chrono::seconds(10));
  EXPECT_THAT(recv.status.error_code(),
              ::testing::AnyOf(grpc::StatusCode::ABORTED, grpc::StatusCode::NOT_FOUND))
      << Describe(recv.status);
  CloseCall(stub(), c.id());
}

TEST_F(ErrorsTest, DialRefusedIsUnavailableAndDialWithoutOpenIsInvalidArgument) {
  {
    grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(30)));
    auto call = stub().Dial(&context);
    v1::DialRequest open;
    open.mutable_open()->set_host(kKernelAddress);
    open.mutable_open()->set_port(5);
    call->Write(open);
    v1::DialResponse response;
    EXPECT_FALSE(call->Read(&response));
    const grpc::Status status = call->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << Describe(status);
  }
  {
    grpc::ClientContext context;
    context.set_deadline(In(std::chrono::seconds(30)));
    auto call = stub().Dial(&context);
    v1::DialRequest data;
    data.set_data("no open first");
    call->Write(data);
    v1::DialResponse response;
    EXPECT_FALSE(call->Read(&response));
    const grpc::Status status = call->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(status);
  }
}

}  // namespace
}  // namespace tcpaas::e2e
