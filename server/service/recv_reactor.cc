#include "server/service/recv_reactor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/service/status_mapping.h"
#include "server/service/stream_pumps.h"
#include "stack/host/host.h"

namespace tcpaas::server {
namespace {

size_t MessageSize(uint32_t requested, const ServiceOptions& options) {
  if (requested == 0) return options.default_recv_message_bytes;
  return std::min(requested, options.max_recv_message_bytes);
}

}  // namespace

RecvReactor::RecvReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                         const tcpaas::v1::RecvRequest* request)
    : call_(core, context, "Recv"),
      connection_id_(request->connection_id()),
      max_message_bytes_(MessageSize(request->max_message_bytes(), core->options())) {
  if (grpc::Status refused = call_.RefuseIfDraining(); !refused.ok()) {
    Complete(refused, nullptr);
    return;
  }
  if (connection_id_.empty()) {
    Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "connection_id is empty"), nullptr);
    return;
  }
  absl::Status queued =
      core->executor().TryRun([this](Host& host, Instant now) { Bind(host, now); });
  if (!queued.ok()) Complete(ToGrpcStatus(StackRefusedStatus(queued)), nullptr);
}

void RecvReactor::Bind(Host& host, Instant now) {
  if (call_.finished()) return;
  ConnectionEntry* entry = call_.core().registry().Find(connection_id_);
  if (entry == nullptr) {
    Complete(grpc::Status(grpc::StatusCode::NOT_FOUND,
                          absl::StrCat("no connection with id ", connection_id_)),
             &host);
    return;
  }
  if (entry->receiver != nullptr) {
    Complete(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          absl::StrCat("connection ", connection_id_, " already has a ",
                                       entry->dial ? "Dial" : "Recv", " stream reading from it")),
             &host);
    return;
  }
  entry_ = entry;
  entry_->receiver = this;
  call_.core().registry().Attach(entry_, this);
  // The response headers tell the client the stream is bound before any data comes.
  StartSendInitialMetadata();
  Pump(host, now);
}

void RecvReactor::Pump(Host& host, Instant now) {
  if (call_.finished() || entry_ == nullptr || write_in_flight_ || eof_sent_) return;
  absl::StatusOr<InboundChunk> chunk =
      ReadChunk(host, entry_->conn, max_message_bytes_, response_.mutable_data(), now);
  if (!chunk.ok()) {
    // Reset (or another end) before the peer's FIN.
    const ConnectionFacts& facts = entry_->facts;
    Complete(
        ToGrpcStatus(facts.closed ? ConnectionLostStatus(facts.close_reason, BytesAcked(&host))
                                  : absl::AbortedError(absl::StrCat(
                                        chunk.status().message(), AckedSuffix(BytesAcked(&host))))),
        &host);
    return;
  }
  if (!chunk->ready) return;  // kReadable / kPeerFin / kClosed call again
  response_.set_eof(chunk->eof);
  eof_sent_ = chunk->eof;
  write_in_flight_ = true;
  data_waited_ = false;
  StartWrite(&response_);
}

void RecvReactor::OnWriteDone(bool ok) {
  call_.core().executor().Run([this, ok](Host& host, Instant now) {
    write_in_flight_ = false;
    if (deferred_finish_.has_value()) {
      Finish(*deferred_finish_);
      deferred_finish_.reset();
      return;
    }
    if (call_.finished()) return;
    if (!ok) {
      Complete(call_.CancelledStatus("the client stopped the Recv stream"), &host);
      return;
    }
    if (eof_sent_) {
      Complete(grpc::Status::OK, &host);
      return;
    }
    if (data_waited_) call_.core().flow().recv_pauses.fetch_add(1, std::memory_order_relaxed);
    Pump(host, now);
  });
}

void RecvReactor::OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) {
  if (call_.finished() || entry_ == nullptr) return;
  switch (event.type) {
    case tcp::TcpEventType::kReadable:
      if (write_in_flight_) {
        data_waited_ = true;
        return;
      }
      Pump(host, now);
      break;
    case tcp::TcpEventType::kPeerFin:
    case tcp::TcpEventType::kClosed:
    case tcp::TcpEventType::kEstablished:
      last_acked_ = std::max(last_acked_, event.bytes_acked);
      Pump(host, now);
      break;
    default:
      break;
  }
}

void RecvReactor::OnConnectionReleased(const absl::Status& why, Host& host, Instant now) {
  last_acked_ = std::max(last_acked_, BytesAcked(&host));
  entry_ = nullptr;
  Complete(ToGrpcStatus(why), &host);
}

void RecvReactor::OnCancel() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (call_.finished()) return;
    Complete(call_.CancelledStatus("recv stream ended"), &host);
  });
}

void RecvReactor::OnDone() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (entry_ != nullptr) call_.core().registry().Detach(entry_, this);
    delete this;
  });
}

uint64_t RecvReactor::BytesAcked(Host* host) const {
  return BytesAckedSoFar(entry_, host, last_acked_);
}

void RecvReactor::Complete(const grpc::Status& status, Host* host) {
  const bool used_connection = entry_ != nullptr || last_acked_ > 0;
  const uint64_t acked = BytesAcked(host);
  if (!call_.Finishing(status, used_connection ? std::optional<uint64_t>(acked) : std::nullopt)) {
    return;
  }
  if (entry_ != nullptr) {
    call_.core().registry().Detach(entry_, this);
    entry_ = nullptr;
  }
  // The status goes after the message in flight (OnWriteDone).
  if (write_in_flight_) {
    deferred_finish_ = status;
    return;
  }
  Finish(status);
}

}  // namespace tcpaas::server
