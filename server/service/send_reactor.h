// Send: a client stream of bytes for one connection (tcp.proto).
//
// One read in flight: the next message is asked for only once the previous one is entirely in
// the TCP send buffer, so a slow peer slows the client down instead of filling memory.
//
// The call ends OK when the client ends its stream; after a message with fin, once the client
// has ended its stream and the peer has acknowledged the FIN (bytes_acked then covers every
// byte sent). Any message after the one with fin is INVALID_ARGUMENT.
#ifndef TCPAAS_SERVER_SERVICE_SEND_REACTOR_H_
#define TCPAAS_SERVER_SERVICE_SEND_REACTOR_H_

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/connection_registry.h"
#include "server/service/rpc_call.h"
#include "server/service/service_core.h"
#include "server/service/stream_pumps.h"
#include "tcpaas/v1/tcp.pb.h"

namespace tcpaas::server {

class SendReactor final : public grpc::ServerReadReactor<tcpaas::v1::SendRequest>,
                          public ConnectionObserver {
 public:
  SendReactor(ServiceCore* core, grpc::CallbackServerContext* context,
              tcpaas::v1::SendResponse* response);

  // grpc::ServerReadReactor (gRPC threads).
  void OnReadDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // ConnectionObserver (stack thread).
  void OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) override;
  void OnConnectionReleased(const absl::Status& why, Host& host, Instant now) override;
  void OnConnectionDraining(Host& host, Instant now) override;

 private:
  void HandleMessage(Host& host, Instant now);
  void HandleHalfClose(Host& host, Instant now);
  // Moves pending bytes into TCP; asks for the next message when they all fit.
  void Pump(Host& host, Instant now);
  // The first message names the connection; checks it may be written to.
  grpc::Status Bind(Host& host);
  // Ends the call. With `acked_from_stack`, bytes_acked is read from the stack first.
  void Complete(const grpc::Status& status, Host* host);
  uint64_t BytesAcked(Host* host) const;
  // " (N bytes of this call accepted, the peer acknowledged M)".
  std::string Progress(Host* host) const;

  RpcCall call_;
  tcpaas::v1::SendResponse* response_;
  tcpaas::v1::SendRequest request_;
  ConnectionEntry* entry_ = nullptr;  // bound by the first message, until the call ends
  OutboundBytes pending_;
  bool waiting_for_room_ = false;
  bool fin_requested_ = false;  // a message carried fin
  bool fin_sent_ = false;       // ShutdownWrite done
  bool half_closed_ = false;    // the client ended its stream
  uint64_t last_acked_ = 0;     // known bytes acknowledged, for when the handle is gone
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_SEND_REACTOR_H_
