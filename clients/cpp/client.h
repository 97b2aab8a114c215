// The tcpaas C++ client: TCP connections through tcpaasd, used like sockets.
//
//   tcpaas::client::Client client(grpc::CreateChannel("127.0.0.1:50051",
//                                                      grpc::InsecureChannelCredentials()));
//   absl::StatusOr<Stream> s = client.Connect("198.18.0.1", 7);
//   s->Write("hello");  s->ShutdownWrite();
//   for (auto r = s->Read(); r.ok() && !r->empty(); r = s->Read()) std::cout << *r;
//   s->Close();
//
// Errors are absl::Status values with the gRPC code and the service's message unchanged
// (UNAVAILABLE for refused or unreachable, ABORTED for a reset mid-stream, ...).
#ifndef TCPAAS_CLIENTS_CPP_CLIENT_H_
#define TCPAAS_CLIENTS_CPP_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/cpp/listener.h"
#include "clients/cpp/stream.h"
#include "grpcpp/channel.h"
#include "tcpaas/v1/tcp.grpc.pb.h"

namespace tcpaas::client {

enum class Transport {
  kDial,      // one bidirectional Dial call per connection
  kSendRecv,  // Connect, then Send and Recv calls, then Close
};

struct ConnectOptions {
  Transport transport = Transport::kDial;
  // ConnectRequest.connect_timeout_ms: how long the stack tries the handshake (zero: its SYN
  // retries decide).
  absl::Duration connect_timeout = absl::ZeroDuration();
  // gRPC deadline of the Connect call (kSendRecv only; a Dial call lives as long as the
  // connection, so its handshake is bounded by connect_timeout instead).
  absl::Duration rpc_timeout = absl::InfiniteDuration();
  v1::ConnectionOptions tcp;           // Nagle, buffer sizes, keepalive, congestion control
  uint32_t local_port = 0;             // 0: ephemeral
  uint32_t recv_message_bytes = 0;     // RecvRequest.max_message_bytes (kSendRecv)
  bool wait_for_ack_on_close = false;  // CloseRequest.wait_for_ack (kSendRecv)
};

struct ListenOptions {
  uint32_t backlog = 0;  // 0: the service's default (128)
  v1::ConnectionOptions tcp;
  uint32_t recv_message_bytes = 0;
  bool wait_for_ack_on_close = false;
};

class Client {
 public:
  explicit Client(std::shared_ptr<grpc::Channel> channel);
  // An insecure channel to `target` ("127.0.0.1:50051").
  static Client ForTarget(const std::string& target);

  // Active open to host:port; returns once the connection is ESTABLISHED.
  absl::StatusOr<Stream> Connect(const std::string& host, uint32_t port,
                                 const ConnectOptions& options = {});

  // Passive open on `port` of the stack's address. Returns once the stack listens. Errors
  // the service reports when the call starts (port in use, bad port) come from the first
  // Accept().
  absl::StatusOr<Listener> Listen(uint32_t port, const ListenOptions& options = {});

  absl::StatusOr<std::vector<v1::Connection>> ListConnections();

  // The generated stub, for RPCs this wrapper does not cover.
  v1::TcpService::Stub& stub() { return *stub_; }

 private:
  std::shared_ptr<v1::TcpService::Stub> stub_;
};

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_CLIENT_H_
