#include "clients/cpp/send_recv_transport.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "clients/cpp/grpc_status.h"

namespace tcpaas::client {
namespace {

// How long Abort waits for the service to confirm the reset.
constexpr std::chrono::seconds kAbortDeadline(10);

}  // namespace

SendRecvTransport::SendRecvTransport(std::shared_ptr<v1::TcpService::Stub> stub, std::string id,
                                     uint32_t recv_message_bytes, bool wait_for_ack_on_close)
    : stub_(std::move(stub)),
      id_(std::move(id)),
      recv_message_bytes_(recv_message_bytes),
      wait_for_ack_on_close_(wait_for_ack_on_close) {}

SendRecvTransport::~SendRecvTransport() {
  // Calls still open end here; cancelling them is what ending an RPC early means in gRPC.
  {
    absl::MutexLock lock(&write_mu_);
    if (send_call_ != nullptr && !send_ended_) {
      {
        absl::MutexLock context_lock(&context_mu_);
        send_context_->TryCancel();
      }
      send_call_->Finish();
    }
  }
  absl::MutexLock lock(&read_mu_);
  if (recv_call_ != nullptr && !recv_ended_) {
    {
      absl::MutexLock context_lock(&context_mu_);
      recv_context_->TryCancel();
    }
    v1::RecvResponse ignored;
    while (recv_call_->Read(&ignored)) {
    }
    recv_call_->Finish();
  }
}

uint64_t SendRecvTransport::bytes_acked() const {
  absl::MutexLock lock(&context_mu_);
  return bytes_acked_;
}

absl::Status SendRecvTransport::OpenSendLocked() {
  if (send_call_ != nullptr) return absl::OkStatus();
  grpc::ClientContext* context;
  {
    absl::MutexLock lock(&context_mu_);
    if (aborted_) return absl::CancelledError("the connection was aborted");
    send_context_ = std::make_unique<grpc::ClientContext>();
    context = send_context_.get();
  }
  send_call_ = stub_->Send(context, &send_response_);
  return absl::OkStatus();
}

absl::Status SendRecvTransport::SendMessageLocked(v1::SendRequest& request) {
  if (!sent_id_) {
    request.set_connection_id(id_);  // required on the first message only
    sent_id_ = true;
  }
  if (send_call_->Write(request)) return absl::OkStatus();
  // The service ended the call before taking this message: its status says why.
  send_ended_ = true;
  send_status_ = FromGrpc(send_call_->Finish());
  if (send_status_.ok()) {
    send_status_ = absl::FailedPreconditionError("the Send call ended before all data was sent");
  }
  return send_status_;
}

absl::Status SendRecvTransport::FinishSendLocked() {
  if (send_ended_) return send_status_;
  send_call_->WritesDone();
  send_status_ = FromGrpc(send_call_->Finish());
  send_ended_ = true;
  absl::MutexLock lock(&context_mu_);
  bytes_acked_ = send_response_.bytes_acked();
  return send_status_;
}

absl::Status SendRecvTransport::Write(absl::string_view data) {
  absl::MutexLock lock(&write_mu_);
  if (write_shut_) return absl::FailedPreconditionError("the write side is already shut down");
  if (send_ended_) return send_status_;
  if (absl::Status status = OpenSendLocked(); !status.ok()) return status;
  while (!data.empty()) {
    const size_t n = std::min(data.size(), kWriteChunkBytes);
    v1::SendRequest request;
    request.set_data(data.data(), n);
    if (absl::Status status = SendMessageLocked(request); !status.ok()) return status;
    data.remove_prefix(n);
  }
  return absl::OkStatus();
}

absl::Status SendRecvTransport::ShutdownWrite() {
  absl::MutexLock lock(&write_mu_);
  if (write_shut_) return send_status_;
  if (send_ended_) return send_status_;
  if (absl::Status status = OpenSendLocked(); !status.ok()) return status;
  write_shut_ = true;
  v1::SendRequest request;
  request.set_fin(true);
  if (absl::Status status = SendMessageLocked(request); !status.ok()) return status;
  // With fin, the call ends once the peer has acknowledged the FIN.
  return FinishSendLocked();
}

absl::Status SendRecvTransport::OpenRecvLocked() {
  grpc::ClientContext* context;
  {
    absl::MutexLock lock(&context_mu_);
    if (aborted_) return absl::CancelledError("the connection was aborted");
    recv_context_ = std::make_unique<grpc::ClientContext>();
    context = recv_context_.get();
  }
  v1::RecvRequest request;
  request.set_connection_id(id_);
  request.set_max_message_bytes(recv_message_bytes_);
  recv_call_ = stub_->Recv(context, request);
  return absl::OkStatus();
}

void SendRecvTransport::FinishRecvLocked() {
  recv_status_ = FromGrpc(recv_call_->Finish());
  recv_ended_ = true;
}

absl::StatusOr<std::string> SendRecvTransport::Read(size_t max) {
  absl::MutexLock lock(&read_mu_);
  while (buffer_.empty() && !eof_ && !recv_ended_) {
    if (recv_call_ == nullptr) {
      if (absl::Status status = OpenRecvLocked(); !status.ok()) return status;
    }
    v1::RecvResponse response;
    if (!recv_call_->Read(&response)) {
      FinishRecvLocked();
      break;
    }
    buffer_.Append(std::move(*response.mutable_data()));
    if (response.eof()) {
      eof_ = true;
      // The stream ends OK right after the eof message; collect its status now.
      while (recv_call_->Read(&response)) {
      }
      FinishRecvLocked();
    }
  }
  if (!buffer_.empty()) return buffer_.Take(max);
  if (eof_ || recv_status_.ok()) return std::string();
  return recv_status_;
}

absl::StatusOr<v1::Connection> SendRecvTransport::Close() {
  {
    absl::MutexLock lock(&write_mu_);
    write_shut_ = true;
    // Ending the Send call without fin: OK means everything written was accepted.
    if (send_call_ != nullptr && !send_ended_) {
      if (absl::Status status = FinishSendLocked(); !status.ok()) return status;
    }
  }
  grpc::ClientContext context;
  v1::CloseRequest request;
  request.set_connection_id(id_);
  request.set_wait_for_ack(wait_for_ack_on_close_);
  v1::CloseResponse response;
  absl::Status status = FromGrpc(stub_->Close(&context, request, &response));
  {
    // A Recv still open has nothing more to deliver once the id is released.
    absl::MutexLock lock(&read_mu_);
    if (recv_call_ != nullptr && !recv_ended_) {
      {
        absl::MutexLock context_lock(&context_mu_);
        recv_context_->TryCancel();
      }
      v1::RecvResponse ignored;
      while (recv_call_->Read(&ignored)) {
      }
      FinishRecvLocked();
    }
  }
  if (!status.ok()) return status;
  return std::move(*response.mutable_connection());
}

void SendRecvTransport::Abort() {
  absl::MutexLock lock(&context_mu_);
  if (aborted_) return;
  aborted_ = true;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kAbortDeadline);
  v1::CloseRequest request;
  request.set_connection_id(id_);
  request.set_abort(true);
  v1::CloseResponse response;
  stub_->Close(&context, request, &response);  // NOT_FOUND if already closed: nothing to do
  // The service ends the Send and Recv calls of a reset connection; cancelling them too makes
  // sure a blocked Read or Write returns even if it cannot be reached.
  if (send_context_ != nullptr) send_context_->TryCancel();
  if (recv_context_ != nullptr) recv_context_->TryCancel();
}

}  // namespace tcpaas::client
