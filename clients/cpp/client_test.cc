// The client library against an in-process fake tcpaasd (FakeTcpService: every connection
// echoes), over both transports: data both ways, half-close, close, abort, errors, Listen,
// and tcpcat's fd pump. No root, no network.
#include "clients/cpp/client.h"

#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "clients/cpp/fake_tcp_service.h"
#include "clients/cpp/fd_pump.h"
#include "clients/cpp/grpc_status.h"
#include "clients/cpp/read_buffer.h"
#include "clients/cpp/stats_text.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace tcpaas::client {
namespace {

using ::testing::HasSubstr;

// Deterministic payload: byte i of a stream of `n` bytes.
std::string Payload(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 251) & 0xff);
  return s;
}

class ClientTest : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<Client>(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override {
    client_.reset();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }

  absl::StatusOr<Stream> Connect(const std::string& host = "198.18.0.1") {
    ConnectOptions options;
    options.transport = GetParam();
    return client_->Connect(host, 7, options);
  }

  // Writes `data` then FIN on one thread; reads to EOF on this one.
  std::string EchoThrough(Stream& stream, const std::string& data) {
    std::thread writer([&] {
      EXPECT_TRUE(stream.Write(data).ok());
      EXPECT_TRUE(stream.ShutdownWrite().ok());
    });
    std::string got;
    for (;;) {
      absl::StatusOr<std::string> chunk = stream.Read(100000);
      EXPECT_TRUE(chunk.ok()) << chunk.status();
      if (!chunk.ok() || chunk->empty()) break;
      EXPECT_LE(chunk->size(), 100000u);
      got += *chunk;
    }
    writer.join();
    return got;
  }

  FakeTcpService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Client> client_;
};

TEST_P(ClientTest, EchoesBytesAndEndsWithEof) {
  absl::StatusOr<Stream> stream = Connect();
  ASSERT_TRUE(stream.ok()) << stream.status();
  EXPECT_FALSE(stream->id().empty());
  EXPECT_EQ(stream->connection().remote().port(), 7u);
  const std::string data = Payload(3 << 20);
  EXPECT_EQ(EchoThrough(*stream, data), data);
  // EOF stays EOF.
  absl::StatusOr<std::string> again = stream->Read();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "");
  EXPECT_TRUE(stream->Close().ok());
  EXPECT_EQ(service_.open_connections(), 0u);
}

TEST_P(ClientTest, SmallReadsSplitMessages) {
  absl::StatusOr<Stream> stream = Connect();
  ASSERT_TRUE(stream.ok()) << stream.status();
  ASSERT_TRUE(stream->Write("abcdefghij").ok());
  ASSERT_TRUE(stream->ShutdownWrite().ok());
  std::string got;
  for (;;) {
    absl::StatusOr<std::string> chunk = stream->Read(3);
    ASSERT_TRUE(chunk.ok()) << chunk.status();
    if (chunk->empty()) break;
    EXPECT_LE(chunk->size(), 3u);
    got += *chunk;
  }
  EXPECT_EQ(got, "abcdefghij");
  EXPECT_TRUE(stream->Close().ok());
}

TEST_P(ClientTest, WriteAfterShutdownIsFailedPrecondition) {
  absl::StatusOr<Stream> stream = Connect();
  ASSERT_TRUE(stream.ok()) << stream.status();
  ASSERT_TRUE(stream->ShutdownWrite().ok());
  EXPECT_TRUE(stream->ShutdownWrite().ok());  // idempotent
  EXPECT_EQ(stream->Write("late").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*stream->Read(), "");
  EXPECT_TRUE(stream->Close().ok());
}

TEST_P(ClientTest, RefusedKeepsTheServiceCodeAndMessage) {
  absl::StatusOr<Stream> stream = Connect(FakeTcpService::kRefusingHost);
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(stream.status().message()), HasSubstr("refused"));
  EXPECT_THAT(DescribeStatus(stream.status()), ::testing::StartsWith("UNAVAILABLE: "));
}

TEST_P(ClientTest, AbortUnblocksABlockedRead) {
  absl::StatusOr<Stream> stream = Connect();
  ASSERT_TRUE(stream.ok()) << stream.status();
  absl::StatusOr<std::string> read = std::string("unset");
  std::thread reader([&] { read = stream->Read(); });  // nothing will come
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stream->Abort();
  reader.join();
  EXPECT_FALSE(read.ok());
}

TEST_P(ClientTest, PeerResetIsAbortedWithBytesAcknowledged) {
  absl::StatusOr<Stream> stream = Connect();
  ASSERT_TRUE(stream.ok()) << stream.status();
  ASSERT_TRUE(stream->Write("some bytes").ok());
  // Wait until the service holds them: a client's Write returns once gRPC has the message.
  for (int i = 0; i < 500; ++i) {
    absl::StatusOr<v1::Connection> stats = stream->Stats();
    if (stats.ok() && stats->stats().bytes_acked() == 10) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  service_.ResetByPeer(stream->id());
  // Our FIN after the reset fails or is ignored; it also lets the fake's synchronous Dial
  // handler, which waits for requests, end its call.
  stream->ShutdownWrite().IgnoreError();
  absl::Status status;
  for (int i = 0; i < 1000 && status.ok(); ++i) {
    absl::StatusOr<std::string> r = stream->Read();
    if (!r.ok()) status = r.status();
    if (r.ok() && r->empty()) break;
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("acknowledged 10 bytes"));
}

INSTANTIATE_TEST_SUITE_P(BothTransports, ClientTest,
                         ::testing::Values(Transport::kSendRecv, Transport::kDial),
                         [](const ::testing::TestParamInfo<Transport>& info) {
                           return info.param == Transport::kDial ? "Dial" : "SendRecv";
                         });

using SendRecvClientTest = ClientTest;

TEST_P(SendRecvClientTest, CloseReturnsFinalStats) {
  absl::StatusOr<Stream> stream = Connect();
  ASSERT_TRUE(stream.ok()) << stream.status();
  ASSERT_TRUE(stream->Write("0123456789").ok());
  absl::StatusOr<v1::Connection> live = stream->Stats();
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->id(), stream->id());
  ASSERT_TRUE(stream->Close().ok());
  absl::StatusOr<v1::Connection> final_stats = stream->Stats();
  ASSERT_TRUE(final_stats.ok()) << final_stats.status();
  EXPECT_EQ(final_stats->stats().bytes_acked(), 10u);
  EXPECT_EQ(final_stats->close_reason(), "normal");
  EXPECT_THAT(StatsText(*final_stats), HasSubstr("acked=10"));
}

TEST_P(SendRecvClientTest, DestroyingAnOpenStreamAbortsIt) {
  {
    absl::StatusOr<Stream> stream = Connect();
    ASSERT_TRUE(stream.ok()) << stream.status();
    ASSERT_TRUE(stream->Write("x").ok());
    EXPECT_EQ(service_.open_connections(), 1u);
  }
  EXPECT_EQ(service_.open_connections(), 0u);
}

TEST_P(SendRecvClientTest, ListenerAcceptsQueuedConnectionsUntilClosed) {
  absl::StatusOr<Listener> listener = client_->Listen(8080);
  ASSERT_TRUE(listener.ok()) << listener.status();
  service_.QueueAccepts(2);
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<Stream> accepted = listener->Accept();
    ASSERT_TRUE(accepted.ok()) << accepted.status();
    EXPECT_EQ(accepted->connection().direction(), v1::DIRECTION_PASSIVE);
    EXPECT_EQ(EchoThrough(*accepted, "accepted"), "accepted");
    EXPECT_TRUE(accepted->Close().ok());
  }
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    listener->Close();
  });
  absl::StatusOr<Stream> none = listener->Accept();
  closer.join();
  EXPECT_EQ(none.status().code(), absl::StatusCode::kCancelled) << none.status();
}

TEST_P(SendRecvClientTest, ListenOnABadPortFailsAtAccept) {
  absl::StatusOr<Listener> listener = client_->Listen(0);
  ASSERT_TRUE(listener.ok()) << listener.status();
  EXPECT_EQ(listener->Accept().status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(SendRecvClientTest, FdPumpJoinsPipesToTheStream) {
  absl::StatusOr<Stream> stream = Connect();
  ASSERT_TRUE(stream.ok()) << stream.status();
  int in[2];
  int out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  const std::string data = Payload(200000);
  std::thread feeder([&] {
    EXPECT_EQ(write(in[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
    close(in[1]);  // EOF on "stdin": FIN
  });
  std::string got;
  std::thread drainer([&] {
    char buf[4096];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof(buf))) > 0) got.append(buf, static_cast<size_t>(n));
  });
  const PumpResult result = PumpFds(*stream, in[0], out[1]);
  close(out[1]);
  feeder.join();
  drainer.join();
  close(in[0]);
  close(out[0]);
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_FALSE(result.output_closed);
  EXPECT_EQ(got, data);
  EXPECT_TRUE(stream->Close().ok());
}

INSTANTIATE_TEST_SUITE_P(SendRecv, SendRecvClientTest, ::testing::Values(Transport::kSendRecv));

TEST(ReadBufferTest, TakesInOrderAcrossAppends) {
  ReadBuffer b;
  EXPECT_TRUE(b.empty());
  b.Append("hello");
  EXPECT_EQ(b.Take(2), "he");
  b.Append(" world");
  EXPECT_EQ(b.size(), 9u);
  EXPECT_EQ(b.Take(100), "llo world");
  EXPECT_TRUE(b.empty());
  b.Append("x");
  EXPECT_EQ(b.Take(1), "x");
  EXPECT_TRUE(b.empty());
}

TEST(GrpcStatusTest, KeepsCodeAndMessage) {
  const absl::Status s =
      FromGrpc(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "took too long"));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(DescribeStatus(s), "DEADLINE_EXCEEDED: took too long");
  EXPECT_TRUE(FromGrpc(grpc::Status::OK).ok());
}

}  // namespace
}  // namespace tcpaas::client
