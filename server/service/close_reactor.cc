#include "server/service/close_reactor.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "server/service/proto_convert.h"
#include "server/service/status_mapping.h"
#include "stack/host/host.h"

namespace tcpaas::server {

CloseReactor::CloseReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                           const tcpaas::v1::CloseRequest* request,
                           tcpaas::v1::CloseResponse* response)
    : call_(core, context, "Close"), request_(*request), response_(response) {
  // Close is allowed while draining: it is how clients finish their work.
  if (request_.connection_id().empty()) {
    Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "connection_id is empty"));
    return;
  }
  if (request_.abort() && request_.wait_for_ack()) {
    Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "wait_for_ack applies to a graceful close only, not with abort"));
    return;
  }
  absl::Status queued =
      core->executor().TryRun([this](Host& host, Instant now) { Start(host, now); });
  if (!queued.ok()) Complete(ToGrpcStatus(StackRefusedStatus(queued)));
}

void CloseReactor::Start(Host& host, Instant now) {
  if (call_.finished()) return;
  const std::string& id = request_.connection_id();
  ConnectionEntry* entry = call_.core().registry().Find(id);
  if (entry == nullptr) {
    Complete(grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no connection with id ", id)));
    return;
  }
  if (entry->closing) {
    Complete(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          absl::StrCat("connection ", id, " is already being closed")));
    return;
  }
  entry_ = entry;
  if (request_.abort()) {
    Abort(host, now);
    return;
  }
  if (!entry_->facts.closed && !entry_->write_shut) {
    // RFC 9293 §3.10.4: FIN after everything already queued.
    entry_->write_shut = true;
    host.tcp().ShutdownWrite(entry_->conn, now).IgnoreError();
  }
  if (!request_.wait_for_ack() || entry_->facts.closed || entry_->facts.fin_acked ||
      !entry_->facts.established) {
    Release(host, now);
    Complete(grpc::Status::OK);
    return;
  }
  entry_->closing = true;
  call_.core().registry().Attach(entry_, this);
}

void CloseReactor::Abort(Host& host, Instant now) {
  ConnectionEntry* entry = entry_;
  entry_ = nullptr;
  auto stats = host.tcp().GetStats(entry->conn);
  tcpaas::v1::Connection* out = response_->mutable_connection();
  FillProtoConnection(*entry, stats.ok() ? &*stats : nullptr, out);
  out->set_state(tcpaas::v1::TCP_STATE_CLOSED);
  if (!entry->facts.closed)
    out->set_close_reason(std::string(CloseReasonName(CloseReason::kAborted)));
  // RFC 9293 §3.10.5: RST, and the connection is gone.
  host.tcp().Abort(entry->conn, now).IgnoreError();
  call_.core().registry().Release(
      entry,
      absl::AbortedError(
          absl::StrCat("connection ", entry->id, " was aborted (RST) by Close",
                       AckedSuffix(stats.ok() ? stats->bytes_acked : entry->facts.bytes_acked))),
      host, now);
  Complete(grpc::Status::OK);
}

void CloseReactor::Release(Host& host, Instant now) {
  ConnectionEntry* entry = entry_;
  entry_ = nullptr;
  call_.core().registry().Detach(entry, this);
  auto stats = host.tcp().GetStats(entry->conn);
  tcpaas::v1::Connection* out = response_->mutable_connection();
  FillProtoConnection(*entry, stats.ok() ? &*stats : nullptr, out);
  const bool unread = stats.ok() && stats->recv_buffer_used > 0 && !entry->facts.closed;
  if (unread) {
    // Data nobody read is lost: like Linux close(), the stack answers with RST
    // (RFC 2525 §2.17).
    out->set_state(tcpaas::v1::TCP_STATE_CLOSED);
    out->set_close_reason(std::string(CloseReasonName(CloseReason::kAborted)));
  }
  host.tcp().Close(entry->conn, now).IgnoreError();
  call_.core().registry().Release(
      entry,
      absl::AbortedError(
          absl::StrCat("connection ", entry->id, " was closed by Close",
                       AckedSuffix(stats.ok() ? stats->bytes_acked : entry->facts.bytes_acked))),
      host, now);
}

void CloseReactor::OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) {
  if (call_.finished() || entry_ == nullptr) return;
  if (event.type == tcp::TcpEventType::kFinAcked || event.type == tcp::TcpEventType::kClosed) {
    const bool lost = event.type == tcp::TcpEventType::kClosed && !entry_->facts.fin_acked;
    const ConnectionFacts facts = entry_->facts;
    Release(host, now);
    if (lost) {
      Complete(ToGrpcStatus(ConnectionLostStatus(facts.close_reason, facts.bytes_acked)));
    } else {
      Complete(grpc::Status::OK);
    }
  }
}

void CloseReactor::OnConnectionReleased(const absl::Status& why, Host& host, Instant now) {
  entry_ = nullptr;
  Complete(ToGrpcStatus(why));
}

void CloseReactor::OnCancel() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (call_.finished()) return;
    if (entry_ != nullptr) Release(host, now);  // the FIN is queued; let it finish alone
    Complete(call_.CancelledStatus("stopped waiting for the FIN's acknowledgment"));
  });
}

void CloseReactor::OnDone() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (entry_ != nullptr) Release(host, now);
    delete this;
  });
}

void CloseReactor::Complete(const grpc::Status& status) {
  std::optional<uint64_t> acked;
  if (response_->has_connection()) acked = response_->connection().stats().bytes_acked();
  if (!call_.Finishing(status, acked)) return;
  Finish(status);
}

}  // namespace tcpaas::server
