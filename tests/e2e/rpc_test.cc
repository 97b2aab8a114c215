// Every RPC of tcpaas.v1.TcpService once, on its success path, against the sandbox's
// kernel-side services and kernel peers the test opens inside the sandbox namespace.
#include <sys/socket.h>

#include <cerrno>
#include <thread>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/kernel_socket.h"
#include "tests/e2e/rpc_helpers.h"

namespace tcpaas::e2e {
namespace {

using ::testing::Contains;
using ::testing::SizeIs;

class RpcTest : public E2eTest {};

TEST_F(RpcTest, ConnectSendRecvCloseAgainstEcho) {
  const v1::Connection c = MustConnect(kKernelAddress, kEchoPort);
  ASSERT_FALSE(c.id().empty());
  EXPECT_GE(c.id().size(), 22u) << "an id carries at least 128 random bits: " << c.id();
  EXPECT_EQ(c.state(), v1::TCP_STATE_ESTABLISHED);
  EXPECT_EQ(c.direction(), v1::DIRECTION_ACTIVE);
  EXPECT_EQ(c.remote().address(), kKernelAddress);
  EXPECT_EQ(c.remote().port(), kEchoPort);
  EXPECT_EQ(c.local().address(), kStackAddress);
  EXPECT_NE(c.local().port(), 0u);

  const std::string message = "hello through tcpaas\n";
  const SendResult sent = SendCall(stub(), c.id(), message, /*fin=*/true);
  ASSERT_TRUE(sent.status.ok()) << Describe(sent.status);
  EXPECT_EQ(sent.response.bytes_accepted(), message.size());
  // With fin, the call ends once the FIN is acknowledged: everything was delivered.
  EXPECT_EQ(sent.response.bytes_acked(), message.size());

  const RecvResult received = RecvCall(stub(), c.id());
  ASSERT_TRUE(received.status.ok()) << Describe(received.status);
  EXPECT_EQ(received.data, message);
  EXPECT_TRUE(received.eof);

  const CloseResult closed = CloseCall(stub(), c.id());
  ASSERT_TRUE(closed.status.ok()) << Describe(closed.status);
  EXPECT_EQ(closed.connection.id(), c.id());
  EXPECT_EQ(closed.connection.stats().bytes_acked(), message.size());
  EXPECT_EQ(closed.connection.stats().bytes_received(), message.size());
  EXPECT_GT(closed.connection.stats().segments_sent(), 0u);

  // Close released the id.
  v1::Connection after;
  EXPECT_EQ(GetConnectionCall(stub(), c.id(), &after).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(RpcTest, GetConnectionAndListConnectionsShowStats) {
  const v1::Connection a = MustConnect(kKernelAddress, kEchoPort);
  const v1::Connection b = MustConnect(kKernelAddress, kDiscardPort);
  ASSERT_NE(a.id(), b.id());
  ASSERT_TRUE(SendCall(stub(), a.id(), std::string(10000, 'x'), /*fin=*/false).status.ok());

  v1::Connection got;
  const grpc::Status status = GetConnectionCall(stub(), a.id(), &got);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(got.id(), a.id());
  EXPECT_EQ(got.state(), v1::TCP_STATE_ESTABLISHED);
  EXPECT_GT(got.stats().snd_mss(), 0u);
  EXPECT_GT(got.stats().cwnd_bytes(), 0u);
  EXPECT_GT(got.stats().rto_us(), 0u);
  EXPECT_GE(got.stats().bytes_sent(), 10000u);

  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(10)));
  v1::ListConnectionsResponse list;
  ASSERT_TRUE(stub().ListConnections(&context, v1::ListConnectionsRequest(), &list).ok());
  std::vector<std::string> ids;
  for (const v1::Connection& c : list.connections()) ids.push_back(c.id());
  EXPECT_THAT(ids, Contains(a.id()));
  EXPECT_THAT(ids, Contains(b.id()));

  EXPECT_TRUE(CloseCall(stub(), a.id(), /*abort=*/true).status.ok());
  EXPECT_TRUE(CloseCall(stub(), b.id()).status.ok());
}

TEST_F(RpcTest, DialEchoesAndEndsOkAfterBothFins) {
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(30)));
  auto call = stub().Dial(&context);
  v1::DialRequest open;
  open.mutable_open()->set_host(kKernelAddress);
  open.mutable_open()->set_port(kEchoPort);
  ASSERT_TRUE(call->Write(open));
  v1::DialResponse response;
  ASSERT_TRUE(call->Read(&response)) << Describe(call->Finish());
  ASSERT_EQ(response.message_case(), v1::DialResponse::kConnected);
  EXPECT_EQ(response.connected().state(), v1::TCP_STATE_ESTABLISHED);
  EXPECT_EQ(response.connected().remote().port(), kEchoPort);

  v1::DialRequest data;
  data.set_data("ping");
  ASSERT_TRUE(call->Write(data));
  // A message with only fin sends FIN.
  v1::DialRequest fin;
  fin.set_fin(true);
  ASSERT_TRUE(call->Write(fin));
  std::string echoed;
  bool eof = false;
  while (call->Read(&response)) {
    echoed += response.data();
    if (response.eof()) eof = true;
  }
  call->WritesDone();
  const grpc::Status status = call->Finish();
  EXPECT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(echoed, "ping");
  EXPECT_TRUE(eof);
}

TEST_F(RpcTest, ListenAcceptsAKernelClientInTheSandbox) {
  constexpr uint16_t kPort = 8080;
  grpc::ClientContext listen_context;
  listen_context.set_deadline(In(std::chrono::seconds(60)));
  v1::ListenRequest request;
  request.set_port(kPort);
  auto listen = stub().Listen(&listen_context, request);
  listen->WaitForInitialMetadata();

  // The kernel side of the sandbox connects to the stack's address.
  absl::StatusOr<Fd> peer = ConnectIn(daemon().sandbox(), kStackAddress, kPort);
  ASSERT_TRUE(peer.ok()) << peer.status();
  SetTimeouts(peer->get(), absl::Seconds(20));

  v1::ListenResponse accepted;
  ASSERT_TRUE(listen->Read(&accepted)) << Describe(listen->Finish());
  const v1::Connection& c = accepted.connection();
  EXPECT_EQ(c.direction(), v1::DIRECTION_PASSIVE);
  EXPECT_EQ(c.local().address(), kStackAddress);
  EXPECT_EQ(c.local().port(), kPort);
  EXPECT_EQ(c.remote().address(), kKernelAddress);

  // Both directions, with the accepted id on Send and Recv.
  ASSERT_TRUE(SendAll(peer->get(), "from the kernel").ok());
  shutdown(peer->get(), SHUT_WR);
  const RecvResult received = RecvCall(stub(), c.id());
  ASSERT_TRUE(received.status.ok()) << Describe(received.status);
  EXPECT_EQ(received.data, "from the kernel");
  EXPECT_TRUE(received.eof);

  const SendResult sent = SendCall(stub(), c.id(), "from the stack", /*fin=*/true);
  ASSERT_TRUE(sent.status.ok()) << Describe(sent.status);
  absl::StatusOr<std::string> got = ReadToEof(peer->get());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "from the stack");
  EXPECT_TRUE(CloseCall(stub(), c.id()).status.ok());

  // Ending the Listen call closes the listener: a new SYN is refused (once the service has
  // seen the cancellation, which the client does not wait for).
  listen_context.TryCancel();
  while (listen->Read(&accepted)) {
  }
  listen->Finish();
  absl::Status refused = absl::OkStatus();
  for (int attempt = 0; attempt < 50 && refused.ok(); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    refused = ConnectIn(daemon().sandbox(), kStackAddress, kPort, absl::ZeroDuration()).status();
  }
  EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("refused"));
}

TEST_F(RpcTest, ListenAnnouncesEveryConnection) {
  constexpr uint16_t kPort = 8081;
  constexpr int kPeers = 5;
  grpc::ClientContext listen_context;
  listen_context.set_deadline(In(std::chrono::seconds(60)));
  v1::ListenRequest request;
  request.set_port(kPort);
  auto listen = stub().Listen(&listen_context, request);
  listen->WaitForInitialMetadata();
  std::vector<Fd> peers;
  for (int i = 0; i < kPeers; ++i) {
    absl::StatusOr<Fd> peer = ConnectIn(daemon().sandbox(), kStackAddress, kPort);
    ASSERT_TRUE(peer.ok()) << peer.status();
    peers.push_back(*std::move(peer));
  }
  std::vector<std::string> ids;
  v1::ListenResponse accepted;
  while (static_cast<int>(ids.size()) < kPeers && listen->Read(&accepted)) {
    ids.push_back(accepted.connection().id());
  }
  EXPECT_THAT(ids, SizeIs(kPeers));
  for (const std::string& id : ids) EXPECT_TRUE(CloseCall(stub(), id).status.ok());
  listen_context.TryCancel();
  while (listen->Read(&accepted)) {
  }
  listen->Finish();
}

TEST_F(RpcTest, CloseWithWaitForAckReturnsAfterEverythingIsAcknowledged) {
  const v1::Connection c = MustConnect(kKernelAddress, kDiscardPort);
  const std::string data(300000, 'd');
  ASSERT_TRUE(SendCall(stub(), c.id(), data, /*fin=*/false).status.ok());
  const CloseResult closed = CloseCall(stub(), c.id(), /*abort=*/false, /*wait_for_ack=*/true);
  ASSERT_TRUE(closed.status.ok()) << Describe(closed.status);
  EXPECT_EQ(closed.connection.stats().bytes_acked(), data.size());
}

TEST_F(RpcTest, AbortSendsRstToThePeer) {
  constexpr uint16_t kPort = 9300;
  absl::StatusOr<Fd> listener = ListenIn(daemon().sandbox(), kKernelAddress, kPort);
  ASSERT_TRUE(listener.ok()) << listener.status();
  const v1::Connection c = MustConnect(kKernelAddress, kPort);
  absl::StatusOr<Fd> peer = AcceptWithin(listener->get(), absl::Seconds(10));
  ASSERT_TRUE(peer.ok()) << peer.status();
  SetTimeouts(peer->get(), absl::Seconds(10));
  const CloseResult closed = CloseCall(stub(), c.id(), /*abort=*/true);
  ASSERT_TRUE(closed.status.ok()) << Describe(closed.status);
  char byte;
  EXPECT_EQ(recv(peer->get(), &byte, 1, 0), -1);
  EXPECT_EQ(errno, ECONNRESET) << "the kernel peer saw no RST";
}

}  // namespace
}  // namespace tcpaas::e2e
