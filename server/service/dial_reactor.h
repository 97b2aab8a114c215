// Dial: a whole connection on one bidirectional stream (tcp.proto).
//
//   client: open ─ data ... data [fin] ─ (half-close)
//   server: connected ─ data ... data ─ eof ─ status
//
// Both directions run at once, each with one operation in flight and the same backpressure as
// Send and Recv. The call ends OK once our FIN is acknowledged and the peer's FIN was
// delivered (eof); otherwise its status says how the connection ended. The connection belongs
// to the call: when the call ends it is released (closed, or aborted if unfinished).
#ifndef TCPAAS_SERVER_SERVICE_DIAL_REACTOR_H_
#define TCPAAS_SERVER_SERVICE_DIAL_REACTOR_H_

#include <optional>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/connection_registry.h"
#include "server/service/proto_convert.h"
#include "server/service/rpc_call.h"
#include "server/service/service_core.h"
#include "server/service/stream_pumps.h"
#include "tcpaas/v1/tcp.pb.h"

namespace tcpaas::server {

class DialReactor final
    : public grpc::ServerBidiReactor<tcpaas::v1::DialRequest, tcpaas::v1::DialResponse>,
      public ConnectionObserver {
 public:
  DialReactor(ServiceCore* core, grpc::CallbackServerContext* context);

  // grpc::ServerBidiReactor (gRPC threads).
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // ConnectionObserver (stack thread).
  void OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) override;
  void OnConnectionReleased(const absl::Status& why, Host& host, Instant now) override;
  void OnConnectionDraining(Host& host, Instant now) override;

 private:
  enum class Phase { kAwaitOpen, kConnecting, kOpen };

  void HandleOpen(Host& host, Instant now);
  void HandleData(Host& host, Instant now);
  void HandleHalfClose(Host& host, Instant now);
  void OnEstablished(Host& host, Instant now);
  // Client -> connection: writes pending bytes, then the FIN if asked, then reads on.
  void PumpOut(Host& host, Instant now);
  // Connection -> client: the next data or eof message, if none is in flight.
  void PumpIn(Host& host, Instant now);
  void ReadNext();
  // Ends OK when both directions are closed.
  void MaybeDone(Host& host, Instant now);
  // MaybeDone, or the connection's end when it closed without finishing both directions.
  void CheckEnded(Host& host, Instant now);
  // Ends the call with `status`, releasing the connection (RST unless it had finished).
  void Fail(const grpc::Status& status, Host& host, Instant now);
  // The connection's end as seen by a stream with work left (reset, timeout, ...).
  grpc::Status LostStatus(Host& host) const;
  void ReleaseConnection(const absl::Status& why, Host& host, Instant now);
  void Complete(const grpc::Status& status, Host* host);
  uint64_t BytesAcked(Host* host) const;

  RpcCall call_;
  tcpaas::v1::DialRequest request_;
  tcpaas::v1::DialResponse response_;
  Phase phase_ = Phase::kAwaitOpen;
  ConnectPlan plan_;
  ConnectionEntry* entry_ = nullptr;
  OutboundBytes pending_;
  bool read_in_flight_ = false;
  bool read_closed_ = false;  // the client half-closed
  bool waiting_for_room_ = false;
  bool fin_requested_ = false;
  bool fin_sent_ = false;
  bool drained_ = false;  // the server's drain sent our FIN
  bool write_in_flight_ = false;
  bool data_waited_ = false;
  bool eof_in_flight_ = false;
  bool eof_delivered_ = false;
  uint64_t last_acked_ = 0;
  std::optional<grpc::Status> deferred_finish_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_DIAL_REACTOR_H_
