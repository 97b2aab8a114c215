// Listen: a passive open on a port of the stack's address; one message per accepted
// connection, each registered under a new id (tcp.proto). Ending the call closes the listener;
// connections already announced stay open.
//
// One write in flight: connections wait in the listener's accept queue (bounded by the
// backlog) until the client has taken the previous announcement.
#ifndef TCPAAS_SERVER_SERVICE_LISTEN_REACTOR_H_
#define TCPAAS_SERVER_SERVICE_LISTEN_REACTOR_H_

#include <optional>
#include <string>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/rpc_call.h"
#include "server/service/service_core.h"
#include "stack/tcp/types.h"
#include "tcpaas/v1/tcp.pb.h"

namespace tcpaas::server {

class ListenReactor final : public grpc::ServerWriteReactor<tcpaas::v1::ListenResponse>,
                            public ListenerObserver {
 public:
  ListenReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                const tcpaas::v1::ListenRequest* request);

  // grpc::ServerWriteReactor (gRPC threads).
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // ListenerObserver (stack thread).
  void OnAcceptReady(Host& host, Instant now) override;
  void OnListenerClosed(const absl::Status& why, Host& host, Instant now) override;

 private:
  void Open(Host& host, Instant now);
  // Announces the next accepted connection if no announcement is in flight.
  void Pump(Host& host, Instant now);
  void CloseListener(Host& host, Instant now);
  void Complete(const grpc::Status& status);

  RpcCall call_;
  Port port_;
  int backlog_ = 0;
  tcp::ConnectionOptions options_;
  std::optional<tcp::ListenerId> listener_;
  tcpaas::v1::ListenResponse response_;
  bool write_in_flight_ = false;
  std::string announcing_id_;  // the id in the message in flight
  std::optional<grpc::Status> deferred_finish_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_LISTEN_REACTOR_H_
