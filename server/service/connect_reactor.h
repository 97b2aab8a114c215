// Connect: an active open that answers once the connection is ESTABLISHED (tcp.proto).
#ifndef TCPAAS_SERVER_SERVICE_CONNECT_REACTOR_H_
#define TCPAAS_SERVER_SERVICE_CONNECT_REACTOR_H_

#include <string>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/connection_registry.h"
#include "server/service/proto_convert.h"
#include "server/service/rpc_call.h"
#include "server/service/service_core.h"
#include "tcpaas/v1/tcp.pb.h"

namespace tcpaas::server {

// Opens a connection on the stack and registers it under a new id (the id is only told to
// the client once established). Ends OK with the Connection; UNAVAILABLE when it closed
// before (refused, unreachable, SYN timeout); the client's cancellation or deadline aborts
// the opening connection and releases its id.
class ConnectReactor final : public grpc::ServerUnaryReactor, public ConnectionObserver {
 public:
  ConnectReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                 const tcpaas::v1::ConnectRequest* request, tcpaas::v1::ConnectResponse* response);

  // grpc::ServerUnaryReactor (gRPC threads).
  void OnCancel() override;
  void OnDone() override;

  // ConnectionObserver (stack thread).
  void OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) override;
  void OnConnectionReleased(const absl::Status& why, Host& host, Instant now) override;

 private:
  void Open(Host& host, Instant now);
  // Gives the stack handle back and forgets the id; `abort` sends RST.
  void Discard(bool abort, Host& host, Instant now);
  void Complete(const grpc::Status& status);

  RpcCall call_;
  tcpaas::v1::ConnectResponse* response_;
  ConnectPlan plan_;
  ConnectionEntry* entry_ = nullptr;  // while opening
  std::string opened_id_;             // the id answered with
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_CONNECT_REACTOR_H_
