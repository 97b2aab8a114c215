// tcpaas.v1.TcpService on gRPC's callback API: each method makes a reactor that carries the
// call to its end (see the *_reactor.h files). The service's state is in the ServiceCore.
#ifndef TCPAAS_SERVER_SERVICE_TCP_SERVICE_H_
#define TCPAAS_SERVER_SERVICE_TCP_SERVICE_H_

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/service_core.h"
#include "tcpaas/v1/tcp.grpc.pb.h"

namespace tcpaas::server {

class TcpService final : public tcpaas::v1::TcpService::CallbackService {
 public:
  // `core` must outlive every call (the daemon waits for the reactors to end).
  explicit TcpService(ServiceCore* core) : core_(core) {}

  grpc::ServerUnaryReactor* Connect(grpc::CallbackServerContext* context,
                                    const tcpaas::v1::ConnectRequest* request,
                                    tcpaas::v1::ConnectResponse* response) override;
  grpc::ServerReadReactor<tcpaas::v1::SendRequest>* Send(
      grpc::CallbackServerContext* context, tcpaas::v1::SendResponse* response) override;
  grpc::ServerWriteReactor<tcpaas::v1::RecvResponse>* Recv(
      grpc::CallbackServerContext* context, const tcpaas::v1::RecvRequest* request) override;
  grpc::ServerUnaryReactor* Close(grpc::CallbackServerContext* context,
                                  const tcpaas::v1::CloseRequest* request,
                                  tcpaas::v1::CloseResponse* response) override;
  grpc::ServerBidiReactor<tcpaas::v1::DialRequest, tcpaas::v1::DialResponse>* Dial(
      grpc::CallbackServerContext* context) override;
  grpc::ServerWriteReactor<tcpaas::v1::ListenResponse>* Listen(
      grpc::CallbackServerContext* context, const tcpaas::v1::ListenRequest* request) override;
  grpc::ServerUnaryReactor* GetConnection(grpc::CallbackServerContext* context,
                                          const tcpaas::v1::GetConnectionRequest* request,
                                          tcpaas::v1::Connection* response) override;
  grpc::ServerUnaryReactor* ListConnections(grpc::CallbackServerContext* context,
                                            const tcpaas::v1::ListConnectionsRequest* request,
                                            tcpaas::v1::ListConnectionsResponse* response) override;

 private:
  ServiceCore* core_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_TCP_SERVICE_H_
