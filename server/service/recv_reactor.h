// Recv: a server stream of the bytes one connection receives (tcp.proto).
//
// One write in flight: bytes leave the TCP receive buffer only when the previous message has
// been written to the client, so a slow reader leaves them in the buffer and the advertised
// window closes (DESIGN.md "Backpressure").
#ifndef TCPAAS_SERVER_SERVICE_RECV_REACTOR_H_
#define TCPAAS_SERVER_SERVICE_RECV_REACTOR_H_

#include <optional>
#include <string>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/connection_registry.h"
#include "server/service/rpc_call.h"
#include "server/service/service_core.h"
#include "tcpaas/v1/tcp.pb.h"

namespace tcpaas::server {

class RecvReactor final : public grpc::ServerWriteReactor<tcpaas::v1::RecvResponse>,
                          public ConnectionObserver {
 public:
  RecvReactor(ServiceCore* core, grpc::CallbackServerContext* context,
              const tcpaas::v1::RecvRequest* request);

  // grpc::ServerWriteReactor (gRPC threads).
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // ConnectionObserver (stack thread).
  void OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) override;
  void OnConnectionReleased(const absl::Status& why, Host& host, Instant now) override;

 private:
  void Bind(Host& host, Instant now);
  // Writes the next message if one is ready and none is in flight.
  void Pump(Host& host, Instant now);
  void Complete(const grpc::Status& status, Host* host);
  uint64_t BytesAcked(Host* host) const;

  RpcCall call_;
  std::string connection_id_;
  size_t max_message_bytes_;
  tcpaas::v1::RecvResponse response_;
  ConnectionEntry* entry_ = nullptr;
  bool write_in_flight_ = false;
  bool data_waited_ = false;  // data arrived during the write in flight
  bool eof_sent_ = false;
  uint64_t last_acked_ = 0;
  std::optional<grpc::Status> deferred_finish_;  // Complete() during a write
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_RECV_REACTOR_H_
