#include "server/service/send_reactor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/service/status_mapping.h"
#include "stack/host/host.h"

namespace tcpaas::server {

SendReactor::SendReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                         tcpaas::v1::SendResponse* response)
    : call_(core, context, "Send"), response_(response) {
  if (grpc::Status refused = call_.RefuseIfDraining(); !refused.ok()) {
    Complete(refused, nullptr);
    return;
  }
  StartRead(&request_);
}

void SendReactor::OnReadDone(bool ok) {
  call_.core().executor().Run([this, ok](Host& host, Instant now) {
    if (call_.finished()) return;
    if (ok) {
      HandleMessage(host, now);
    } else {
      HandleHalfClose(host, now);
    }
  });
}

void SendReactor::OnCancel() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (call_.finished()) return;
    Complete(call_.CancelledStatus(absl::StrCat("send stream ended", Progress(&host))), &host);
  });
}

void SendReactor::OnDone() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (entry_ != nullptr) call_.core().registry().Detach(entry_, this);
    delete this;
  });
}

grpc::Status SendReactor::Bind(Host& host) {
  const std::string& id = request_.connection_id();
  if (id.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first Send message must carry connection_id");
  }
  ConnectionEntry* entry = call_.core().registry().Find(id);
  if (entry == nullptr) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no connection with id ", id));
  }
  if (entry->sender != nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        absl::StrCat("connection ", id, " already has a ",
                                     entry->dial ? "Dial" : "Send", " stream writing to it"));
  }
  if (entry->write_shut) {
    return grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        absl::StrCat("the write side of connection ", id, " is already shut (a FIN was queued)"));
  }
  if (entry->facts.closed) {
    if (entry->facts.close_reason == CloseReason::kNormal) {
      return grpc::Status(
          grpc::StatusCode::FAILED_PRECONDITION,
          absl::StrCat("connection ", id, " is closed", AckedSuffix(entry->facts.bytes_acked)));
    }
    return ToGrpcStatus(ConnectionLostStatus(entry->facts.close_reason, entry->facts.bytes_acked));
  }
  entry_ = entry;
  entry_->sender = this;
  call_.core().registry().Attach(entry_, this);
  return grpc::Status::OK;
}

void SendReactor::HandleMessage(Host& host, Instant now) {
  if (entry_ == nullptr) {
    if (grpc::Status bound = Bind(host); !bound.ok()) {
      Complete(bound, &host);
      return;
    }
  } else if (!request_.connection_id().empty() && request_.connection_id() != entry_->id) {
    Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("connection_id changed from ", entry_->id, " to ",
                                       request_.connection_id(), " within one Send stream")),
             &host);
    return;
  }
  if (fin_requested_) {
    Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("a message followed the one with fin; no data may follow "
                                       "a fin",
                                       Progress(&host))),
             &host);
    return;
  }
  fin_requested_ = request_.fin();
  pending_.Take(request_.mutable_data());
  Pump(host, now);
}

void SendReactor::Pump(Host& host, Instant now) {
  absl::Status failed;
  if (!pending_.empty()) {
    absl::StatusOr<bool> all_written = pending_.Write(host, entry_->conn, now);
    if (!all_written.ok()) {
      failed = all_written.status();
    } else if (!*all_written) {
      if (!waiting_for_room_) {
        waiting_for_room_ = true;
        call_.core().flow().send_pauses.fetch_add(1, std::memory_order_relaxed);
      }
      return;  // kWritable continues
    }
  }
  waiting_for_room_ = false;
  if (failed.ok() && fin_requested_ && !fin_sent_) {
    // RFC 9293 §3.10.4: FIN after everything queued.
    failed = host.tcp().ShutdownWrite(entry_->conn, now);
    if (failed.ok()) {
      fin_sent_ = true;
      entry_->write_shut = true;
    }
  }
  if (!failed.ok()) {
    if (entry_->facts.closed) {
      Complete(ToGrpcStatus(ConnectionLostStatus(entry_->facts.close_reason, BytesAcked(&host))),
               &host);
    } else {
      Complete(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                            absl::StrCat(failed.message(), Progress(&host))),
               &host);
    }
    return;
  }
  // Also after the fin: a further message is an error the client must hear about, and the
  // end of the stream is how a client without fin finishes.
  StartRead(&request_);
}

void SendReactor::HandleHalfClose(Host& host, Instant now) {
  half_closed_ = true;
  if (call_.context()->IsCancelled()) {
    Complete(call_.CancelledStatus(absl::StrCat("send stream ended", Progress(&host))), &host);
    return;
  }
  if (entry_ == nullptr) {
    Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "the Send stream ended without a message; the first message must "
                          "carry connection_id"),
             &host);
    return;
  }
  // With fin, the call ends once the FIN is acknowledged (kFinAcked).
  if (fin_sent_ && !entry_->facts.fin_acked && !entry_->facts.closed) return;
  if (fin_sent_ && entry_->facts.closed && !entry_->facts.fin_acked) {
    Complete(ToGrpcStatus(ConnectionLostStatus(entry_->facts.close_reason, BytesAcked(&host))),
             &host);
    return;
  }
  Complete(grpc::Status::OK, &host);
}

void SendReactor::OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) {
  if (call_.finished() || entry_ == nullptr) return;
  switch (event.type) {
    case tcp::TcpEventType::kWritable:
      if (waiting_for_room_) Pump(host, now);
      break;
    case tcp::TcpEventType::kFinAcked:
      // The call ends when the client has also ended its stream (HandleHalfClose), so that a
      // message after the fin is always reported.
      last_acked_ = std::max(last_acked_, event.bytes_acked);
      if (fin_sent_ && half_closed_) Complete(grpc::Status::OK, &host);
      break;
    case tcp::TcpEventType::kClosed:
      last_acked_ = std::max(last_acked_, event.bytes_acked);
      if (fin_sent_ && entry_->facts.fin_acked) {
        if (half_closed_) Complete(grpc::Status::OK, &host);
      } else {
        const absl::Status lost = ConnectionLostStatus(event.reason, BytesAcked(&host));
        Complete(grpc::Status(static_cast<grpc::StatusCode>(lost.code()),
                              absl::StrCat(lost.message(), "; this call had ", pending_.accepted(),
                                           " bytes accepted into the send buffer")),
                 &host);
      }
      break;
    default:
      break;
  }
}

void SendReactor::OnConnectionReleased(const absl::Status& why, Host& host, Instant now) {
  const uint64_t acked = BytesAcked(&host);
  entry_ = nullptr;
  last_acked_ = std::max(last_acked_, acked);
  Complete(grpc::Status(static_cast<grpc::StatusCode>(why.code()),
                        absl::StrCat(why.message(), Progress(&host))),
           &host);
}

void SendReactor::OnConnectionDraining(Host& host, Instant now) {
  Complete(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("the server is draining and closes the connection's write "
                                     "side",
                                     Progress(&host))),
           &host);
}

uint64_t SendReactor::BytesAcked(Host* host) const {
  return BytesAckedSoFar(entry_, host, last_acked_);
}

std::string SendReactor::Progress(Host* host) const {
  return absl::StrCat(" (this call had ", pending_.accepted(),
                      " bytes accepted; the peer acknowledged ", BytesAcked(host),
                      " bytes of the connection)");
}

void SendReactor::Complete(const grpc::Status& status, Host* host) {
  const uint64_t acked = BytesAcked(host);
  const bool used_connection = entry_ != nullptr || last_acked_ > 0;
  if (!call_.Finishing(status, used_connection ? std::optional<uint64_t>(acked) : std::nullopt)) {
    return;
  }
  if (entry_ != nullptr) {
    call_.core().registry().Detach(entry_, this);
    entry_ = nullptr;
  }
  pending_.Clear();
  response_->set_bytes_accepted(pending_.accepted());
  response_->set_bytes_acked(acked);
  Finish(status);
}

}  // namespace tcpaas::server
