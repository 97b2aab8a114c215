#include "clients/cpp/client.h"

#include <utility>

#include "absl/time/clock.h"
#include "clients/cpp/dial_transport.h"
#include "clients/cpp/grpc_status.h"
#include "clients/cpp/send_recv_transport.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace tcpaas::client {
namespace {

v1::ConnectRequest MakeConnectRequest(const std::string& host, uint32_t port,
                                      const ConnectOptions& options) {
  v1::ConnectRequest request;
  request.set_host(host);
  request.set_port(port);
  request.set_connect_timeout_ms(
      static_cast<uint32_t>(absl::ToInt64Milliseconds(options.connect_timeout)));
  *request.mutable_options() = options.tcp;
  request.set_local_port(options.local_port);
  return request;
}

}  // namespace

Client::Client(std::shared_ptr<grpc::Channel> channel)
    : stub_(std::make_shared<v1::TcpService::Stub>(std::move(channel))) {}

Client Client::ForTarget(const std::string& target) {
  return Client(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
}

absl::StatusOr<Stream> Client::Connect(const std::string& host, uint32_t port,
                                       const ConnectOptions& options) {
  const v1::ConnectRequest request = MakeConnectRequest(host, port, options);
  if (options.transport == Transport::kDial) {
    v1::Connection connection;
    absl::StatusOr<std::unique_ptr<DialTransport>> dial =
        DialTransport::Open(*stub_, request, &connection);
    if (!dial.ok()) return dial.status();
    return Stream(stub_, std::move(connection), *std::move(dial));
  }
  grpc::ClientContext context;
  if (options.rpc_timeout != absl::InfiniteDuration()) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + options.rpc_timeout));
  }
  v1::ConnectResponse response;
  absl::Status status = FromGrpc(stub_->Connect(&context, request, &response));
  if (!status.ok()) return status;
  v1::Connection connection = std::move(*response.mutable_connection());
  auto transport = std::make_unique<SendRecvTransport>(
      stub_, connection.id(), options.recv_message_bytes, options.wait_for_ack_on_close);
  return Stream(stub_, std::move(connection), std::move(transport));
}

absl::StatusOr<Listener> Client::Listen(uint32_t port, const ListenOptions& options) {
  auto context = std::make_unique<grpc::ClientContext>();
  v1::ListenRequest request;
  request.set_port(port);
  request.set_backlog(options.backlog);
  *request.mutable_options() = options.tcp;
  std::unique_ptr<grpc::ClientReader<v1::ListenResponse>> call =
      stub_->Listen(context.get(), request);
  // The service sends the response headers once the stack listens (or with the error that
  // ends the call), so after this a peer's SYN finds the port open.
  call->WaitForInitialMetadata();
  return Listener(stub_, std::move(context), std::move(call), options.recv_message_bytes,
                  options.wait_for_ack_on_close);
}

absl::StatusOr<std::vector<v1::Connection>> Client::ListConnections() {
  grpc::ClientContext context;
  v1::ListConnectionsResponse response;
  absl::Status status =
      FromGrpc(stub_->ListConnections(&context, v1::ListConnectionsRequest(), &response));
  if (!status.ok()) return status;
  return std::vector<v1::Connection>(response.connections().begin(), response.connections().end());
}

}  // namespace tcpaas::client
