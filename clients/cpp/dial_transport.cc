#include "clients/cpp/dial_transport.h"

#include <algorithm>
#include <utility>

#include "absl/time/time.h"
#include "clients/cpp/grpc_status.h"

namespace tcpaas::client {

absl::StatusOr<std::unique_ptr<DialTransport>> DialTransport::Open(v1::TcpService::Stub& stub,
                                                                   const v1::ConnectRequest& open,
                                                                   v1::Connection* connected) {
  auto context = std::make_unique<grpc::ClientContext>();
  std::unique_ptr<Call> call = stub.Dial(context.get());
  v1::DialRequest request;
  *request.mutable_open() = open;
  v1::DialResponse first;
  // A failed Write or Read means the call already ended; Finish says why.
  if (!call->Write(request) || !call->Read(&first)) {
    absl::Status status = FromGrpc(call->Finish());
    if (status.ok()) status = absl::InternalError("the Dial call ended before it connected");
    return status;
  }
  if (first.message_case() != v1::DialResponse::kConnected) {
    context->TryCancel();
    while (call->Read(&first)) {
    }
    call->Finish();
    return absl::InternalError("the first Dial response did not announce the connection");
  }
  *connected = std::move(*first.mutable_connected());
  return std::unique_ptr<DialTransport>(new DialTransport(std::move(context), std::move(call)));
}

DialTransport::~DialTransport() {
  {
    absl::MutexLock lock(&end_mu_);
    if (final_status_.has_value()) return;
  }
  // Neither closed nor ended: cancelling makes the service abort the connection.
  context_->TryCancel();
  absl::MutexLock lock(&read_mu_);
  while (!ended_) ReadMessageLocked();
}

bool DialTransport::ReadMessageLocked() {
  v1::DialResponse response;
  if (!call_->Read(&response)) {
    ended_ = true;
    FinishOnce();
    return false;
  }
  if (response.message_case() == v1::DialResponse::kData) {
    buffer_.Append(std::move(*response.mutable_data()));
  }
  if (response.eof()) eof_ = true;
  return true;
}

void DialTransport::FinishOnce() {
  absl::MutexLock lock(&end_mu_);
  if (!final_status_.has_value()) final_status_ = FromGrpc(call_->Finish());
}

absl::Status DialTransport::WaitForEnd() {
  // The reader thread, if one is inside Read, sees the end and records the status. If none
  // is, read the rest of the call here (into the buffer, so a later Read still gets it).
  absl::MutexLock lock(&end_mu_);
  while (!final_status_.has_value()) {
    end_mu_.Unlock();
    if (read_mu_.TryLock()) {
      while (!ended_) ReadMessageLocked();
      read_mu_.Unlock();
    }
    end_mu_.Lock();
    if (!final_status_.has_value()) {
      end_mu_.AwaitWithTimeout(
          absl::Condition(
              +[](std::optional<absl::Status>* s) { return s->has_value(); }, &final_status_),
          absl::Milliseconds(10));
    }
  }
  return *final_status_;
}

absl::Status DialTransport::Write(absl::string_view data) {
  absl::MutexLock lock(&write_mu_);
  if (writes_done_) return absl::FailedPreconditionError("the write side is already shut down");
  while (!data.empty()) {
    const size_t n = std::min(data.size(), kWriteChunkBytes);
    v1::DialRequest request;
    request.set_data(data.data(), n);
    if (!call_->Write(request)) {
      absl::Status status = WaitForEnd();
      if (status.ok()) {
        status = absl::FailedPreconditionError("the Dial call ended; nothing more can be written");
      }
      return status;
    }
    data.remove_prefix(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> DialTransport::Read(size_t max) {
  absl::MutexLock lock(&read_mu_);
  while (buffer_.empty() && !eof_ && !ended_) ReadMessageLocked();
  if (!buffer_.empty()) return buffer_.Take(max);
  if (eof_) return std::string();
  absl::MutexLock end_lock(&end_mu_);
  // The call ended OK without an eof message: both directions are closed, so this is EOF too.
  if (final_status_->ok()) return std::string();
  return *final_status_;
}

absl::Status DialTransport::ShutdownWrite() {
  absl::MutexLock lock(&write_mu_);
  if (writes_done_) return absl::OkStatus();
  writes_done_ = true;
  // The service sends FIN when the request stream is half-closed.
  if (!call_->WritesDone()) return WaitForEnd();
  return absl::OkStatus();
}

absl::StatusOr<v1::Connection> DialTransport::Close() {
  if (absl::Status status = ShutdownWrite(); !status.ok()) return status;
  {
    absl::MutexLock lock(&read_mu_);
    while (!ended_) {
      ReadMessageLocked();
      buffer_ = ReadBuffer();  // nobody reads after Close
    }
  }
  absl::MutexLock lock(&end_mu_);
  if (!final_status_->ok()) return *final_status_;
  return v1::Connection();
}

void DialTransport::Abort() { context_->TryCancel(); }

}  // namespace tcpaas::client
