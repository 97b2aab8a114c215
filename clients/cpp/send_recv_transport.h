// A Stream carried by the per-connection RPCs: one `Send` call for the bytes written, one
// `Recv` call for the bytes read, `Close` at the end (see stream.h). Both calls are opened on
// first use, so a connection only ever written to never holds a Recv call.
#ifndef TCPAAS_CLIENTS_CPP_SEND_RECV_TRANSPORT_H_
#define TCPAAS_CLIENTS_CPP_SEND_RECV_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "clients/cpp/read_buffer.h"
#include "clients/cpp/stream.h"
#include "tcpaas/v1/tcp.grpc.pb.h"

namespace tcpaas::client {

class SendRecvTransport : public StreamTransport {
 public:
  // `recv_message_bytes`: RecvRequest.max_message_bytes (0: the service's default).
  // `wait_for_ack_on_close`: CloseRequest.wait_for_ack for a graceful Close.
  SendRecvTransport(std::shared_ptr<v1::TcpService::Stub> stub, std::string id,
                    uint32_t recv_message_bytes, bool wait_for_ack_on_close);
  ~SendRecvTransport() override;

  absl::Status Write(absl::string_view data) override;
  absl::StatusOr<std::string> Read(size_t max) override;
  // Sends the last Send message with fin and returns once the peer acknowledged the FIN.
  absl::Status ShutdownWrite() override;
  // Ends the Send call (if open), then the Close RPC; returns its final Connection.
  absl::StatusOr<v1::Connection> Close() override;
  void Abort() override;

  // What the peer had acknowledged when the Send call ended (SendResponse.bytes_acked).
  uint64_t bytes_acked() const;

 private:
  using SendCall = grpc::ClientWriter<v1::SendRequest>;
  using RecvCall = grpc::ClientReader<v1::RecvResponse>;

  absl::Status OpenSendLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Writes one message; on failure ends the call and returns its status.
  absl::Status SendMessageLocked(v1::SendRequest& request) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Half-closes and finishes the Send call; records bytes_acked.
  absl::Status FinishSendLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status OpenRecvLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(read_mu_);
  void FinishRecvLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(read_mu_);

  const std::shared_ptr<v1::TcpService::Stub> stub_;
  const std::string id_;
  const uint32_t recv_message_bytes_;
  const bool wait_for_ack_on_close_;

  // The contexts, reachable from Abort while a Read or Write blocks inside its call.
  mutable absl::Mutex context_mu_;
  bool aborted_ ABSL_GUARDED_BY(context_mu_) = false;
  std::unique_ptr<grpc::ClientContext> send_context_ ABSL_GUARDED_BY(context_mu_);
  std::unique_ptr<grpc::ClientContext> recv_context_ ABSL_GUARDED_BY(context_mu_);
  uint64_t bytes_acked_ ABSL_GUARDED_BY(context_mu_) = 0;

  absl::Mutex write_mu_;  // one writer: Write, ShutdownWrite, Close
  std::unique_ptr<SendCall> send_call_ ABSL_GUARDED_BY(write_mu_);
  v1::SendResponse send_response_ ABSL_GUARDED_BY(write_mu_);
  bool sent_id_ ABSL_GUARDED_BY(write_mu_) = false;      // the first message carried the id
  bool send_ended_ ABSL_GUARDED_BY(write_mu_) = false;   // Finish ran
  bool write_shut_ ABSL_GUARDED_BY(write_mu_) = false;   // fin sent (or Close ran)
  absl::Status send_status_ ABSL_GUARDED_BY(write_mu_);  // of the ended Send call

  absl::Mutex read_mu_;  // one reader: Read
  std::unique_ptr<RecvCall> recv_call_ ABSL_GUARDED_BY(read_mu_);
  ReadBuffer buffer_ ABSL_GUARDED_BY(read_mu_);
  bool eof_ ABSL_GUARDED_BY(read_mu_) = false;
  bool recv_ended_ ABSL_GUARDED_BY(read_mu_) = false;
  absl::Status recv_status_ ABSL_GUARDED_BY(read_mu_);
};

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_SEND_RECV_TRANSPORT_H_
