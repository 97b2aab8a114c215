// GetConnection and ListConnections: state and TCP statistics of registered connections.
#ifndef TCPAAS_SERVER_SERVICE_QUERY_REACTORS_H_
#define TCPAAS_SERVER_SERVICE_QUERY_REACTORS_H_

#include <string>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/rpc_call.h"
#include "server/service/service_core.h"
#include "tcpaas/v1/tcp.pb.h"

namespace tcpaas::server {

class GetConnectionReactor final : public grpc::ServerUnaryReactor {
 public:
  GetConnectionReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                       const tcpaas::v1::GetConnectionRequest* request,
                       tcpaas::v1::Connection* response);
  void OnDone() override;

 private:
  void Lookup(Host& host);
  void Complete(const grpc::Status& status);

  RpcCall call_;
  std::string id_;
  tcpaas::v1::Connection* response_;
};

class ListConnectionsReactor final : public grpc::ServerUnaryReactor {
 public:
  ListConnectionsReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                         tcpaas::v1::ListConnectionsResponse* response);
  void OnDone() override;

 private:
  void List(Host& host);
  void Complete(const grpc::Status& status);

  RpcCall call_;
  tcpaas::v1::ListConnectionsResponse* response_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_QUERY_REACTORS_H_
