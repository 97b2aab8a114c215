#include "server/service/tcp_service.h"

#include "server/service/close_reactor.h"
#include "server/service/connect_reactor.h"
#include "server/service/dial_reactor.h"
#include "server/service/listen_reactor.h"
#include "server/service/query_reactors.h"
#include "server/service/recv_reactor.h"
#include "server/service/send_reactor.h"

namespace tcpaas::server {

// Each reactor deletes itself once gRPC calls its OnDone().

grpc::ServerUnaryReactor* TcpService::Connect(grpc::CallbackServerContext* context,
                                              const tcpaas::v1::ConnectRequest* request,
                                              tcpaas::v1::ConnectResponse* response) {
  return new ConnectReactor(core_, context, request, response);
}

grpc::ServerReadReactor<tcpaas::v1::SendRequest>* TcpService::Send(
    grpc::CallbackServerContext* context, tcpaas::v1::SendResponse* response) {
  return new SendReactor(core_, context, response);
}

grpc::ServerWriteReactor<tcpaas::v1::RecvResponse>* TcpService::Recv(
    grpc::CallbackServerContext* context, const tcpaas::v1::RecvRequest* request) {
  return new RecvReactor(core_, context, request);
}

grpc::ServerUnaryReactor* TcpService::Close(grpc::CallbackServerContext* context,
                                            const tcpaas::v1::CloseRequest* request,
                                            tcpaas::v1::CloseResponse* response) {
  return new CloseReactor(core_, context, request, response);
}

grpc::ServerBidiReactor<tcpaas::v1::DialRequest, tcpaas::v1::DialResponse>* TcpService::Dial(
    grpc::CallbackServerContext* context) {
  return new DialReactor(core_, context);
}

grpc::ServerWriteReactor<tcpaas::v1::ListenResponse>* TcpService::Listen(
    grpc::CallbackServerContext* context, const tcpaas::v1::ListenRequest* request) {
  return new ListenReactor(core_, context, request);
}

grpc::ServerUnaryReactor* TcpService::GetConnection(grpc::CallbackServerContext* context,
                                                    const tcpaas::v1::GetConnectionRequest* request,
                                                    tcpaas::v1::Connection* response) {
  return new GetConnectionReactor(core_, context, request, response);
}

grpc::ServerUnaryReactor* TcpService::ListConnections(
    grpc::CallbackServerContext* context, const tcpaas::v1::ListConnectionsRequest* request,
    tcpaas::v1::ListConnectionsResponse* response) {
  return new ListConnectionsReactor(core_, context, response);
}

}  // namespace tcpaas::server
