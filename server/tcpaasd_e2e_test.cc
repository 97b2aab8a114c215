// tcpaasd end to end in sandbox mode: the daemon in this process (so sanitizers see the
// service), driven through the generated C++ stub; and the real binary started as users start
// it. Needs root and /dev/net/tun (skipped otherwise); every test has its own sandbox
// namespace and ephemeral ports.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/daemon.h"
#include "server/daemon_config.h"
#include "server/testing/kernel_peer.h"
#include "stack/link/netns.h"
#include "tcpaas/v1/tcp.grpc.pb.h"
#include "tests/support/netns.h"

extern char** environ;

namespace tcpaas::server {
namespace {

using test_util::KernelPeer;
namespace v1 = ::tcpaas::v1;

constexpr Ipv4Address kKernel = Ipv4Address::FromOctets(198, 18, 0, 1);
constexpr Ipv4Address kStack = Ipv4Address::FromOctets(198, 18, 0, 2);
// On the sandbox's subnet, but nobody answers ARP for it.
constexpr char kSilentHost[] = "198.18.0.3";

std::string UniqueSandboxName() {
  static std::atomic<int> n{0};
  return absl::StrCat("tcpaas-e2e-", ::getpid(), "-", n.fetch_add(1));
}

bool NamespaceExists(const std::string& name) {
  struct stat st;
  return ::stat(link::NetnsPath(name).c_str(), &st) == 0;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::chrono::system_clock::time_point In(int ms) {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
}

// The client side of the API used by the tests.
class Client {
 public:
  explicit Client(const std::string& target)
      : channel_(grpc::CreateChannel(target, grpc::InsecureChannelCredentials())),
        stub_(v1::TcpService::NewStub(channel_)) {}

  v1::TcpService::Stub& stub() { return *stub_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }

  grpc::Status Connect(const std::string& host, uint32_t port, v1::Connection* out,
                       int deadline_ms = 10000) {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(deadline_ms));
    v1::ConnectRequest request;
    request.set_host(host);
    request.set_port(port);
    v1::ConnectResponse response;
    grpc::Status status = stub_->Connect(&ctx, request, &response);
    if (out != nullptr) *out = response.connection();
    return status;
  }

  // Sends `data` in 64 KiB messages (the first carries the id), with fin on the last.
  grpc::Status Send(const std::string& id, const std::string& data, bool fin,
                    v1::SendResponse* response = nullptr, std::string* bytes_acked = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(60000));
    v1::SendResponse r;
    auto writer = stub_->Send(&ctx, &r);
    size_t offset = 0;
    do {
      v1::SendRequest m;
      if (offset == 0) m.set_connection_id(id);
      const size_t n = std::min<size_t>(65536, data.size() - offset);
      m.set_data(data.substr(offset, n));
      offset += n;
      m.set_fin(fin && offset == data.size());
      if (!writer->Write(m)) break;
    } while (offset < data.size());
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (response != nullptr) *response = r;
    if (bytes_acked != nullptr) {
      auto it = ctx.GetServerTrailingMetadata().find("tcpaas-bytes-acked");
      if (it != ctx.GetServerTrailingMetadata().end()) {
        *bytes_acked = std::string(it->second.data(), it->second.size());
      }
    }
    return status;
  }

  // Reads until the stream ends; `eof` tells whether the last message had eof.
  grpc::Status Recv(const std::string& id, std::string* out, bool* eof = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(60000));
    v1::RecvRequest request;
    request.set_connection_id(id);
    auto reader = stub_->Recv(&ctx, request);
    v1::RecvResponse m;
    bool saw_eof = false;
    while (reader->Read(&m)) {
      out->append(m.data());
      saw_eof = m.eof();
    }
    if (eof != nullptr) *eof = saw_eof;
    return reader->Finish();
  }

  grpc::Status Close(const std::string& id, bool abort, bool wait_for_ack,
                     v1::CloseResponse* out = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10000));
    v1::CloseRequest request;
    request.set_connection_id(id);
    request.set_abort(abort);
    request.set_wait_for_ack(wait_for_ack);
    v1::CloseResponse response;
    grpc::Status status = stub_->Close(&ctx, request, &response);
    if (out != nullptr) *out = response;
    return status;
  }

  grpc::Status Get(const std::string& id, v1::Connection* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(5000));
    v1::GetConnectionRequest request;
    request.set_connection_id(id);
    return stub_->GetConnection(&ctx, request, out);
  }

  int ConnectionCount() {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(5000));
    v1::ListConnectionsResponse response;
    if (!stub_->ListConnections(&ctx, v1::ListConnectionsRequest(), &response).ok()) return -1;
    return response.connections_size();
  }

  // grpc.health.v1.Health/Check for the whole server: 1 SERVING, 2 NOT_SERVING, -1 error.
  int Health() {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(5000));
    // HealthCheckRequest{service: ""} is empty on the wire (but must be a real buffer).
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    const grpc::internal::RpcMethod method("/grpc.health.v1.Health/Check",
                                           grpc::internal::RpcMethod::NORMAL_RPC);
    grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel_.get(), method, &ctx, request, &response);
    if (!status.ok()) return -1;
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok()) return -1;
    std::string bytes;
    for (const grpc::Slice& s : slices)
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    // HealthCheckResponse{status = 1}: field 1, varint.
    if (bytes.size() == 2 && bytes[0] == 0x08) return bytes[1];
    return bytes.empty() ? 0 : -1;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::TcpService::Stub> stub_;
};

class TcpaasdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why; !test::CanUseNetworkDevices(&why)) GTEST_SKIP() << why;
  }
  void TearDown() override {
    client_.reset();
    if (daemon_ != nullptr) {
      // Every call reached OnDone: nothing leaked, whatever the test did to its streams.
      for (int i = 0; i < 200 && daemon_->core().live_reactors() > 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      EXPECT_EQ(daemon_->core().live_reactors(), 0);
      EXPECT_TRUE(daemon_->Stop().ok());
      daemon_.reset();
      EXPECT_FALSE(NamespaceExists(sandbox_)) << sandbox_;
    }
  }

  void StartDaemon(size_t max_connections = 4096) {
    sandbox_ = UniqueSandboxName();
    DaemonFlags flags;
    flags.listen = "127.0.0.1:0";
    flags.metrics_listen = "";
    flags.sandbox_name = sandbox_;
    flags.max_connections = static_cast<int64_t>(max_connections);
    flags.drain_timeout = absl::Seconds(5);
    auto config = ParseDaemonConfig(flags);
    ASSERT_TRUE(config.ok()) << config.status();
    std::ostringstream banner;
    auto daemon = Daemon::Start(*config, banner);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    EXPECT_TRUE(absl::StrContains(banner.str(), "tcpaasd: ready")) << banner.str();
    client_ = std::make_unique<Client>(daemon_->grpc_target());
  }

  std::string sandbox_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<Client> client_;
};

TEST_F(TcpaasdTest, ConnectSendRecvCloseThroughEcho) {
  StartDaemon();
  v1::Connection conn;
  ASSERT_TRUE(client_->Connect(kKernel.ToString(), 7, &conn).ok());
  EXPECT_EQ(conn.id().size(), 32u);
  EXPECT_EQ(conn.state(), v1::TCP_STATE_ESTABLISHED);
  EXPECT_EQ(conn.direction(), v1::DIRECTION_ACTIVE);
  EXPECT_EQ(conn.local().address(), kStack.ToString());
  EXPECT_EQ(conn.remote().port(), 7u);

  const std::string data = RandomBytes(2 << 20, 1);
  std::string echoed;
  bool eof = false;
  grpc::Status recv_status;
  std::thread reader([&] { recv_status = client_->Recv(conn.id(), &echoed, &eof); });
  v1::SendResponse sent;
  grpc::Status send_status = client_->Send(conn.id(), data, /*fin=*/true, &sent);
  reader.join();
  ASSERT_TRUE(send_status.ok()) << send_status.error_message();
  EXPECT_EQ(sent.bytes_accepted(), data.size());
  EXPECT_EQ(sent.bytes_acked(), data.size());  // with fin: ends once everything is acked
  ASSERT_TRUE(recv_status.ok()) << recv_status.error_message();
  EXPECT_TRUE(eof);
  EXPECT_EQ(echoed.size(), data.size());
  EXPECT_TRUE(echoed == data);

  v1::Connection seen;
  ASSERT_TRUE(client_->Get(conn.id(), &seen).ok());
  EXPECT_EQ(seen.stats().bytes_acked(), data.size());
  EXPECT_EQ(seen.stats().bytes_received(), data.size());
  EXPECT_GT(seen.stats().srtt_us(), 0u);
  EXPECT_EQ(client_->ConnectionCount(), 1);

  v1::CloseResponse closed;
  ASSERT_TRUE(client_->Close(conn.id(), false, true, &closed).ok());
  EXPECT_EQ(closed.connection().id(), conn.id());
  EXPECT_EQ(closed.connection().stats().bytes_acked(), data.size());
  EXPECT_EQ(client_->Get(conn.id(), &seen).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client_->ConnectionCount(), 0);
}

TEST_F(TcpaasdTest, DialEchoesBothWaysAndEndsOk) {
  StartDaemon();
  const std::string data = RandomBytes(1 << 20, 2);
  grpc::ClientContext ctx;
  ctx.set_deadline(In(60000));
  auto stream = client_->stub().Dial(&ctx);
  v1::DialRequest open;
  open.mutable_open()->set_host(kKernel.ToString());
  open.mutable_open()->set_port(7);
  ASSERT_TRUE(stream->Write(open));
  std::thread writer([&] {
    for (size_t off = 0; off < data.size(); off += 65536) {
      v1::DialRequest m;
      m.set_data(data.substr(off, 65536));
      if (!stream->Write(m)) return;
    }
    stream->WritesDone();  // the half-close sends FIN
  });
  v1::DialResponse m;
  std::string echoed;
  bool connected = false, eof = false;
  while (stream->Read(&m)) {
    if (m.has_connected()) {
      connected = true;
      EXPECT_EQ(m.connected().state(), v1::TCP_STATE_ESTABLISHED);
    }
    echoed += m.data();
    eof = eof || m.eof();
  }
  writer.join();
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(connected);
  EXPECT_TRUE(eof);
  EXPECT_TRUE(echoed == data);
  EXPECT_EQ(client_->ConnectionCount(), 0);  // the connection ended with the call
}

TEST_F(TcpaasdTest, ListenAnnouncesKernelClients) {
  StartDaemon();
  grpc::ClientContext listen_ctx;
  v1::ListenRequest request;
  request.set_port(8080);
  auto listener = client_->stub().Listen(&listen_ctx, request);
  listener->WaitForInitialMetadata();  // the port is open

  auto peer = KernelPeer::Connect(sandbox_, Endpoint{kStack, Port(8080)});
  ASSERT_TRUE(peer.ok()) << peer.status();
  v1::ListenResponse announced;
  ASSERT_TRUE(listener->Read(&announced));
  const v1::Connection& conn = announced.connection();
  EXPECT_EQ(conn.direction(), v1::DIRECTION_PASSIVE);
  EXPECT_EQ(conn.local().port(), 8080u);
  EXPECT_EQ(conn.remote().address(), kKernel.ToString());

  ASSERT_TRUE(peer->WriteAll("ping from the kernel").ok());
  peer->ShutdownWrite();
  std::string got;
  bool eof = false;
  ASSERT_TRUE(client_->Recv(conn.id(), &got, &eof).ok());
  EXPECT_EQ(got, "ping from the kernel");
  EXPECT_TRUE(eof);
  ASSERT_TRUE(client_->Send(conn.id(), "pong", /*fin=*/true).ok());
  auto reply = peer->ReadToEof();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, "pong");
  ASSERT_TRUE(client_->Close(conn.id(), false, false).ok());

  listen_ctx.TryCancel();
  EXPECT_EQ(listener->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // Ending the call closed the listener: the port can be listened on again.
  bool relisten = false;
  for (int i = 0; i < 50 && !relisten; ++i) {
    grpc::ClientContext ctx;
    auto again = client_->stub().Listen(&ctx, request);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ctx.TryCancel();
    relisten = again->Finish().error_code() == grpc::StatusCode::CANCELLED;
  }
  EXPECT_TRUE(relisten);
}

TEST_F(TcpaasdTest, ErrorsFollowTheContract) {
  StartDaemon();
  // Connect.
  EXPECT_EQ(client_->Connect(kKernel.ToString(), 1, nullptr).error_code(),
            grpc::StatusCode::UNAVAILABLE);  // refused
  EXPECT_EQ(client_->Connect("", 7, nullptr).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(client_->Connect("198.18.0.1", 0, nullptr).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(client_->Connect("198.18.0.1", 70000, nullptr).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(client_->Connect("10.1.2.3", 80, nullptr).error_code(),
            grpc::StatusCode::UNAVAILABLE);  // no route out of the sandbox
  EXPECT_EQ(client_->Connect(kSilentHost, 80, nullptr, /*deadline_ms=*/300).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // Unknown ids.
  std::string ignored;
  v1::Connection conn;
  EXPECT_EQ(client_->Recv("00000000000000000000000000000000", &ignored).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client_->Send("nope", "x", false).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client_->Close("nope", false, false).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client_->Get("nope", &conn).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client_->Send("", "x", false).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Data after fin; write side already shut.
  ASSERT_TRUE(client_->Connect(kKernel.ToString(), 9, &conn).ok());
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10000));
    v1::SendResponse r;
    auto writer = client_->stub().Send(&ctx, &r);
    v1::SendRequest m;
    m.set_connection_id(conn.id());
    m.set_data("last");
    m.set_fin(true);
    writer->Write(m);
    v1::SendRequest more;
    more.set_data("more");
    writer->Write(more);
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_EQ(client_->Send(conn.id(), "x", false).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(client_->Close(conn.id(), true, false).ok());

  // A second Recv on one connection.
  ASSERT_TRUE(client_->Connect(kKernel.ToString(), 7, &conn).ok());
  grpc::ClientContext first_ctx;
  v1::RecvRequest recv;
  recv.set_connection_id(conn.id());
  auto first = client_->stub().Recv(&first_ctx, recv);
  first->WaitForInitialMetadata();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(client_->Recv(conn.id(), &ignored).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Close (abort) ends the first Recv.
  v1::CloseResponse closed;
  ASSERT_TRUE(client_->Close(conn.id(), true, false, &closed).ok());
  EXPECT_EQ(closed.connection().close_reason(), "aborted");
  v1::RecvResponse m;
  while (first->Read(&m)) {
  }
  EXPECT_EQ(first->Finish().error_code(), grpc::StatusCode::ABORTED);

  // Listen.
  grpc::ClientContext ctx0;
  v1::ListenRequest zero;
  EXPECT_EQ(client_->stub().Listen(&ctx0, zero)->Finish().error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::ClientContext ctx1, ctx2;
  v1::ListenRequest port;
  port.set_port(9000);
  auto holder = client_->stub().Listen(&ctx1, port);
  holder->WaitForInitialMetadata();
  EXPECT_EQ(client_->stub().Listen(&ctx2, port)->Finish().error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  ctx1.TryCancel();
  holder->Finish();

  // Dial must open first.
  grpc::ClientContext dial_ctx;
  auto dial = client_->stub().Dial(&dial_ctx);
  v1::DialRequest data_first;
  data_first.set_data("x");
  dial->Write(data_first);
  dial->WritesDone();
  v1::DialResponse d;
  while (dial->Read(&d)) {
  }
  EXPECT_EQ(dial->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Nothing leaked: the cancelled and failed opens left no connection behind.
  EXPECT_EQ(client_->ConnectionCount(), 0);
}

TEST_F(TcpaasdTest, PeerResetMidTransferIsAbortedWithBytesAcknowledged) {
  StartDaemon();
  auto listening = KernelPeer::Listen(sandbox_, Endpoint{kKernel, Port(5002)});
  ASSERT_TRUE(listening.ok()) << listening.status();
  v1::Connection conn;
  ASSERT_TRUE(client_->Connect(kKernel.ToString(), 5002, &conn).ok());
  auto accepted = listening->Accept();
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  std::thread resetter([&] {
    auto got = accepted->Read(300000);  // take some, then RST
    EXPECT_TRUE(got.ok());
    accepted->Reset();
  });
  v1::SendResponse r;
  std::string trailer;
  grpc::Status status = client_->Send(conn.id(), std::string(16 << 20, 'z'), false, &r, &trailer);
  resetter.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "reset by the peer"))
      << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "acknowledged")) << status.error_message();
  uint64_t acked = 0;
  ASSERT_TRUE(absl::SimpleAtoi(trailer, &acked)) << "trailer: " << trailer;
  // The peer read 300,000 bytes before its RST, but the ACK for the last of them may still
  // have been held by its delayed-ACK timer (RFC 1122 §4.2.3.2; CI once saw 299,792), and an
  // RST acknowledges nothing (RFC 9293 §3.10.7.4). So: all but at most a window's tail.
  EXPECT_GT(acked, 300000u - 65536u);
  EXPECT_LT(acked, 16u << 20);
  std::string ignored;
  EXPECT_EQ(client_->Recv(conn.id(), &ignored).error_code(), grpc::StatusCode::ABORTED);
  v1::Connection seen;
  ASSERT_TRUE(client_->Get(conn.id(), &seen).ok());
  EXPECT_EQ(seen.close_reason(), "reset");
  EXPECT_TRUE(client_->Close(conn.id(), false, false).ok());
}

TEST_F(TcpaasdTest, CancelledCallsLeaveNothingBehind) {
  StartDaemon();
  // A Connect cancelled while the SYN goes unanswered: the opening connection is aborted.
  {
    grpc::ClientContext ctx;
    v1::ConnectRequest request;
    request.set_host(kSilentHost);
    request.set_port(80);
    v1::ConnectResponse response;
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      ctx.TryCancel();
    });
    EXPECT_EQ(client_->stub().Connect(&ctx, request, &response).error_code(),
              grpc::StatusCode::CANCELLED);
    canceller.join();
  }
  // A Dial cancelled mid-transfer: its connection goes with it.
  {
    grpc::ClientContext ctx;
    auto stream = client_->stub().Dial(&ctx);
    v1::DialRequest open;
    open.mutable_open()->set_host(kKernel.ToString());
    open.mutable_open()->set_port(19);  // chargen: data keeps coming
    ASSERT_TRUE(stream->Write(open));
    v1::DialResponse m;
    ASSERT_TRUE(stream->Read(&m));
    ASSERT_TRUE(m.has_connected());
    ASSERT_TRUE(stream->Read(&m));
    ctx.TryCancel();
    while (stream->Read(&m)) {
    }
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // Send and Recv streams cancelled mid-transfer end; their connection stays for Close.
  v1::Connection conn;
  ASSERT_TRUE(client_->Connect(kKernel.ToString(), 19, &conn).ok());
  {
    grpc::ClientContext ctx;
    v1::RecvRequest request;
    request.set_connection_id(conn.id());
    auto reader = client_->stub().Recv(&ctx, request);
    v1::RecvResponse m;
    ASSERT_TRUE(reader->Read(&m));
    ctx.TryCancel();
    while (reader->Read(&m)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  {
    grpc::ClientContext ctx;
    v1::SendResponse r;
    auto writer = client_->stub().Send(&ctx, &r);
    v1::SendRequest m;
    m.set_connection_id(conn.id());
    m.set_data(std::string(100000, 'q'));
    ASSERT_TRUE(writer->Write(m));
    ctx.TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_EQ(client_->ConnectionCount(), 1);
  // The connection is still usable after its streams were cancelled.
  std::string more;
  {
    grpc::ClientContext ctx;
    v1::RecvRequest request;
    request.set_connection_id(conn.id());
    auto reader = client_->stub().Recv(&ctx, request);
    v1::RecvResponse m;
    ASSERT_TRUE(reader->Read(&m));
    EXPECT_FALSE(m.data().empty());
    ctx.TryCancel();
    while (reader->Read(&m)) {
    }
    reader->Finish();
  }
  v1::CloseResponse closed;
  ASSERT_TRUE(client_->Close(conn.id(), /*abort=*/true, false, &closed).ok());
  EXPECT_EQ(client_->ConnectionCount(), 0);
}

TEST_F(TcpaasdTest, ConnectionLimitIsResourceExhausted) {
  StartDaemon(/*max_connections=*/2);
  v1::Connection a, b;
  ASSERT_TRUE(client_->Connect(kKernel.ToString(), 7, &a).ok());
  ASSERT_TRUE(client_->Connect(kKernel.ToString(), 9, &b).ok());
  EXPECT_EQ(client_->Connect(kKernel.ToString(), 7, nullptr).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_TRUE(client_->Close(a.id(), false, false).ok());
  EXPECT_TRUE(client_->Connect(kKernel.ToString(), 7, nullptr).ok());
}

TEST_F(TcpaasdTest, DrainSendsFinRefusesNewCallsAndReportsNotServing) {
  StartDaemon();
  EXPECT_EQ(client_->Health(), 1);  // SERVING
  v1::Connection conn;
  ASSERT_TRUE(client_->Connect(kKernel.ToString(), 7, &conn).ok());
  ASSERT_TRUE(client_->Send(conn.id(), "before the drain", false).ok());
  std::string echoed;
  bool eof = false;
  grpc::Status recv_status;
  std::thread reader([&] { recv_status = client_->Recv(conn.id(), &echoed, &eof); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  // The echo service answers our FIN with its own: the connection finishes cleanly.
  EXPECT_EQ(daemon_->Drain(nullptr), 0u);
  reader.join();
  EXPECT_TRUE(recv_status.ok()) << recv_status.error_message();
  EXPECT_TRUE(eof);
  EXPECT_EQ(echoed, "before the drain");
  EXPECT_EQ(client_->Health(), 2);  // NOT_SERVING
  grpc::Status refused = client_->Connect(kKernel.ToString(), 7, nullptr);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "draining")) << refused.error_message();
}

TEST_F(TcpaasdTest, DrainResetsWhatDoesNotFinishInTime) {
  StartDaemon();
  // A kernel peer that never closes its side.
  auto listening = KernelPeer::Listen(sandbox_, Endpoint{kKernel, Port(5003)});
  ASSERT_TRUE(listening.ok());
  v1::Connection conn;
  ASSERT_TRUE(client_->Connect(kKernel.ToString(), 5003, &conn).ok());
  auto accepted = listening->Accept();
  ASSERT_TRUE(accepted.ok());
  std::string ignored;
  grpc::Status recv_status;
  std::thread reader([&] { recv_status = client_->Recv(conn.id(), &ignored); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon_->Drain(nullptr), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));  // 5 s timeout
  reader.join();
  EXPECT_EQ(recv_status.error_code(), grpc::StatusCode::UNAVAILABLE) << recv_status.error_message();
  // The peer saw our FIN, then the RST.
  auto rest = accepted->ReadToEof();
  EXPECT_TRUE(rest.ok() && rest->empty());
}

// --- The real binary ---------------------------------------------------------------------

class TcpaasdBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why; !test::CanUseNetworkDevices(&why)) GTEST_SKIP() << why;
  }
};

// Reads lines from `fd` until one contains `marker` (or `seconds` pass); returns all read.
std::string ReadUntil(int fd, const std::string& marker, int seconds) {
  std::string out;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!absl::StrContains(out, marker) && std::chrono::steady_clock::now() < give_up) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[1024];
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

TEST_F(TcpaasdBinaryTest, StartsEchoesThroughTheStubAndExitsCleanlyOnSigterm) {
  const std::string sandbox = UniqueSandboxName();
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args = {TCPAAS_TCPAASD_PATH, "--listen=127.0.0.1:0",
                                   "--metrics_listen=127.0.0.1:0", "--sandbox_name=" + sandbox};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);

  const std::string banner = ReadUntil(out[0], "tcpaasd: ready", 30);
  const std::string marker = "grpc listening on ";
  const size_t at = banner.find(marker);
  if (at == std::string::npos || !absl::StrContains(banner, "tcpaasd: ready")) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    FAIL() << "no banner: " << banner;
  }
  const std::string target =
      banner.substr(at + marker.size(), banner.find('\n', at) - at - marker.size());
  EXPECT_TRUE(absl::StrContains(banner, "namespace " + sandbox)) << banner;
  EXPECT_TRUE(absl::StrContains(banner, "metrics at http://127.0.0.1:")) << banner;
  EXPECT_TRUE(NamespaceExists(sandbox));

  {
    Client client(target);
    v1::Connection conn;
    grpc::Status connected = client.Connect(kKernel.ToString(), 7, &conn);
    EXPECT_TRUE(connected.ok()) << connected.error_message();
    if (connected.ok()) {
      EXPECT_TRUE(client.Send(conn.id(), "hello, tcpaas", /*fin=*/true).ok());
      std::string echoed;
      bool eof = false;
      EXPECT_TRUE(client.Recv(conn.id(), &echoed, &eof).ok());
      EXPECT_EQ(echoed, "hello, tcpaas");
      EXPECT_TRUE(eof);
      EXPECT_TRUE(client.Close(conn.id(), false, false).ok());
    }
  }

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  const std::string farewell = ReadUntil(out[0], "tcpaasd: stopped", 30);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(out[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n" << farewell;
  EXPECT_FALSE(NamespaceExists(sandbox)) << "the sandbox namespace was left behind";
}

TEST_F(TcpaasdBinaryTest, BadFlagsExitNonZeroWithAMessage) {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args = {TCPAAS_TCPAASD_PATH, "--network=tap"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  const std::string message = ReadUntil(out[0], "\n", 10);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(out[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status;
  EXPECT_TRUE(absl::StrContains(message, "--tap")) << message;
}

}  // namespace
}  // namespace tcpaas::server
