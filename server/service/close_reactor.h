// Close: graceful (FIN after queued data; with wait_for_ack, answers once the peer has
// acknowledged everything) or abort (RST now). Releases the id; answers with the final stats.
#ifndef TCPAAS_SERVER_SERVICE_CLOSE_REACTOR_H_
#define TCPAAS_SERVER_SERVICE_CLOSE_REACTOR_H_

#include <string>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/connection_registry.h"
#include "server/service/rpc_call.h"
#include "server/service/service_core.h"
#include "tcpaas/v1/tcp.pb.h"

namespace tcpaas::server {

class CloseReactor final : public grpc::ServerUnaryReactor, public ConnectionObserver {
 public:
  CloseReactor(ServiceCore* core, grpc::CallbackServerContext* context,
               const tcpaas::v1::CloseRequest* request, tcpaas::v1::CloseResponse* response);

  // grpc::ServerUnaryReactor (gRPC threads).
  void OnCancel() override;
  void OnDone() override;

  // ConnectionObserver (stack thread): waiting for the FIN's acknowledgment.
  void OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) override;
  void OnConnectionReleased(const absl::Status& why, Host& host, Instant now) override;

 private:
  void Start(Host& host, Instant now);
  void Abort(Host& host, Instant now);
  // Releases the handle (FIN already queued, or RST if received data was never read) and the
  // id, and fills the response with the last stats.
  void Release(Host& host, Instant now);
  void Complete(const grpc::Status& status);

  RpcCall call_;
  tcpaas::v1::CloseRequest request_;
  tcpaas::v1::CloseResponse* response_;
  ConnectionEntry* entry_ = nullptr;  // while waiting for the acknowledgment
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_CLOSE_REACTOR_H_
