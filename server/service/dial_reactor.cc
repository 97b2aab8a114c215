#include "server/service/dial_reactor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/service/status_mapping.h"
#include "stack/host/host.h"

namespace tcpaas::server {

DialReactor::DialReactor(ServiceCore* core, grpc::CallbackServerContext* context)
    : call_(core, context, "Dial") {
  if (grpc::Status refused = call_.RefuseIfDraining(); !refused.ok()) {
    Complete(refused, nullptr);
    return;
  }
  ReadNext();
}

void DialReactor::ReadNext() {
  if (read_in_flight_ || read_closed_ || call_.finished()) return;
  read_in_flight_ = true;
  StartRead(&request_);
}

// --- gRPC reactions -------------------------------------------------------------------

void DialReactor::OnReadDone(bool ok) {
  call_.core().executor().Run([this, ok](Host& host, Instant now) {
    read_in_flight_ = false;
    if (call_.finished()) return;
    if (phase_ == Phase::kAwaitOpen) {
      if (ok) {
        HandleOpen(host, now);
      } else {
        Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "the Dial stream ended before its first message (open)"),
                 &host);
      }
      return;
    }
    if (ok) {
      HandleData(host, now);
    } else {
      HandleHalfClose(host, now);
    }
  });
}

void DialReactor::OnWriteDone(bool ok) {
  call_.core().executor().Run([this, ok](Host& host, Instant now) {
    write_in_flight_ = false;
    if (deferred_finish_.has_value()) {
      Finish(*deferred_finish_);
      deferred_finish_.reset();
      return;
    }
    if (call_.finished()) return;
    if (!ok) {
      Fail(call_.CancelledStatus("the client stopped the Dial stream"), host, now);
      return;
    }
    if (eof_in_flight_) {
      eof_in_flight_ = false;
      eof_delivered_ = true;
      CheckEnded(host, now);
      return;
    }
    if (data_waited_) call_.core().flow().recv_pauses.fetch_add(1, std::memory_order_relaxed);
    PumpIn(host, now);
  });
}

void DialReactor::OnCancel() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (call_.finished()) return;
    Fail(call_.CancelledStatus("the Dial stream ended"), host, now);
  });
}

void DialReactor::OnDone() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (entry_ != nullptr) {
      ReleaseConnection(absl::CancelledError("the Dial call ended"), host, now);
    }
    delete this;
  });
}

// --- Client messages ------------------------------------------------------------------

void DialReactor::HandleOpen(Host& host, Instant now) {
  if (!request_.has_open()) {
    Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "the first Dial message must be open (a ConnectRequest)"),
             &host);
    return;
  }
  auto plan = ToConnectPlan(request_.open(), call_.core().options().connection_defaults);
  if (!plan.ok()) {
    Complete(ToGrpcStatus(plan.status()), &host);
    return;
  }
  plan_ = *std::move(plan);
  ConnectionRegistry& registry = call_.core().registry();
  if (registry.full()) {
    Complete(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("connection limit reached: ", registry.limit(),
                                       " connections are open (close some, or raise "
                                       "--max_connections)")),
             &host);
    return;
  }
  auto conn = host.tcp().Connect(plan_.remote, plan_.options, now, plan_.local_port);
  if (!conn.ok()) {
    Complete(ToGrpcStatus(conn.status()), &host);
    return;
  }
  auto entry = registry.Add(*conn, ConnectionDirection::kActive);
  if (!entry.ok()) {
    host.tcp().Abort(*conn, now).IgnoreError();
    Complete(ToGrpcStatus(entry.status()), &host);
    return;
  }
  entry_ = *entry;
  entry_->dial = true;
  entry_->congestion_control = plan_.options.congestion_control;
  if (auto stats = host.tcp().GetStats(*conn); stats.ok()) entry_->tuple = stats->tuple;
  entry_->sender = this;
  entry_->receiver = this;
  registry.Attach(entry_, this);
  fin_requested_ = request_.fin();
  phase_ = Phase::kConnecting;
  // Client data waits in gRPC's flow-control window until the connection is up.
}

void DialReactor::HandleData(Host& host, Instant now) {
  if (request_.has_open()) {
    Fail(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      "open may only be the first message of a Dial stream"),
         host, now);
    return;
  }
  if (drained_) {
    Fail(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      absl::StrCat("the server is draining and has closed the connection's "
                                   "write side; data was not sent",
                                   AckedSuffix(BytesAcked(&host)))),
         host, now);
    return;
  }
  if (fin_requested_) {
    Fail(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat("a message followed the one with fin; no data may follow a "
                                   "fin",
                                   AckedSuffix(BytesAcked(&host)))),
         host, now);
    return;
  }
  fin_requested_ = request_.fin();
  if (request_.has_data()) pending_.Take(request_.mutable_data());
  PumpOut(host, now);
}

void DialReactor::HandleHalfClose(Host& host, Instant now) {
  read_closed_ = true;
  if (call_.context()->IsCancelled()) {
    Fail(call_.CancelledStatus("the Dial stream ended"), host, now);
    return;
  }
  // The client's half-close sends FIN (after anything still pending).
  fin_requested_ = true;
  PumpOut(host, now);
}

// --- Connection -----------------------------------------------------------------------

void DialReactor::OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) {
  if (call_.finished() || entry_ == nullptr) return;
  last_acked_ = std::max(last_acked_, event.bytes_acked);
  if (phase_ == Phase::kConnecting) {
    if (event.type == tcp::TcpEventType::kEstablished) {
      OnEstablished(host, now);
    } else if (event.type == tcp::TcpEventType::kClosed) {
      const absl::Status failed = ConnectFailedStatus(event.reason, plan_.remote);
      ReleaseConnection(failed, host, now);
      Complete(ToGrpcStatus(failed), &host);
    }
    return;
  }
  switch (event.type) {
    case tcp::TcpEventType::kReadable:
      if (write_in_flight_) {
        data_waited_ = true;
      } else {
        PumpIn(host, now);
      }
      break;
    case tcp::TcpEventType::kPeerFin:
      PumpIn(host, now);
      break;
    case tcp::TcpEventType::kWritable:
      if (waiting_for_room_) PumpOut(host, now);
      break;
    case tcp::TcpEventType::kFinAcked:
      MaybeDone(host, now);
      break;
    case tcp::TcpEventType::kClosed:
      // Data received before the end still goes to the client first; PumpIn then reports
      // the end (now, or after the write in flight).
      PumpIn(host, now);
      CheckEnded(host, now);
      break;
    default:
      break;
  }
}

void DialReactor::OnEstablished(Host& host, Instant now) {
  phase_ = Phase::kOpen;
  auto stats = host.tcp().GetStats(entry_->conn);
  response_.Clear();
  FillProtoConnection(*entry_, stats.ok() ? &*stats : nullptr, response_.mutable_connected());
  write_in_flight_ = true;
  StartWrite(&response_);
  PumpOut(host, now);  // a fin carried by the open message
}

void DialReactor::OnConnectionReleased(const absl::Status& why, Host& host, Instant now) {
  last_acked_ = std::max(last_acked_, BytesAcked(&host));
  entry_ = nullptr;
  Complete(ToGrpcStatus(why), &host);
}

void DialReactor::OnConnectionDraining(Host& host, Instant now) {
  if (!pending_.empty() || waiting_for_room_) {
    Fail(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      absl::StrCat("the server is draining; data of the client not yet in the "
                                   "send buffer was dropped",
                                   AckedSuffix(BytesAcked(&host)))),
         host, now);
    return;
  }
  // The drain sends the FIN next; the peer's data still flows until its FIN.
  drained_ = true;
  fin_sent_ = true;
}

void DialReactor::PumpOut(Host& host, Instant now) {
  if (call_.finished() || entry_ == nullptr || phase_ != Phase::kOpen) return;
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
      return;
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
    Fail(entry_->facts.closed
             ? LostStatus(host)
             : grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                            absl::StrCat(failed.message(), AckedSuffix(BytesAcked(&host)))),
         host, now);
    return;
  }
  ReadNext();
  MaybeDone(host, now);
}

void DialReactor::PumpIn(Host& host, Instant now) {
  if (call_.finished() || entry_ == nullptr || phase_ != Phase::kOpen) return;
  if (write_in_flight_ || eof_in_flight_ || eof_delivered_) return;
  response_.Clear();
  absl::StatusOr<InboundChunk> chunk =
      ReadChunk(host, entry_->conn, call_.core().options().default_recv_message_bytes,
                response_.mutable_data(), now);
  if (!chunk.ok()) {
    Fail(LostStatus(host), host, now);
    return;
  }
  if (!chunk->ready) return;
  response_.set_eof(chunk->eof);
  eof_in_flight_ = chunk->eof;
  write_in_flight_ = true;
  data_waited_ = false;
  StartWrite(&response_);
}

void DialReactor::CheckEnded(Host& host, Instant now) {
  MaybeDone(host, now);
  if (call_.finished() || entry_ == nullptr) return;
  // Closed with nothing left to deliver, yet not both directions finished cleanly.
  if (entry_->facts.closed && eof_delivered_) Fail(LostStatus(host), host, now);
}

void DialReactor::MaybeDone(Host& host, Instant now) {
  if (call_.finished() || entry_ == nullptr) return;
  if (!eof_delivered_ || !fin_sent_ || !entry_->facts.fin_acked) return;
  const uint64_t acked = BytesAcked(&host);
  last_acked_ = std::max(last_acked_, acked);
  ReleaseConnection(absl::OkStatus(), host, now);
  Complete(grpc::Status::OK, &host);
}

grpc::Status DialReactor::LostStatus(Host& host) const {
  if (entry_ != nullptr && entry_->facts.closed) {
    return ToGrpcStatus(ConnectionLostStatus(entry_->facts.close_reason, BytesAcked(&host)));
  }
  return grpc::Status(grpc::StatusCode::ABORTED,
                      absl::StrCat("the connection ended", AckedSuffix(BytesAcked(&host))));
}

void DialReactor::Fail(const grpc::Status& status, Host& host, Instant now) {
  if (entry_ != nullptr) ReleaseConnection(ToAbslStatus(status), host, now);
  Complete(status, &host);
}

void DialReactor::ReleaseConnection(const absl::Status& why, Host& host, Instant now) {
  if (entry_ == nullptr) return;
  last_acked_ = std::max(last_acked_, BytesAcked(&host));
  ConnectionEntry* entry = entry_;
  entry_ = nullptr;
  ConnectionRegistry& registry = call_.core().registry();
  registry.Detach(entry, this);
  if (entry->Finished() || (why.ok() && fin_sent_)) {
    host.tcp().Close(entry->conn, now).IgnoreError();
  } else {
    host.tcp().Abort(entry->conn, now).IgnoreError();  // RFC 9293 §3.10.5
  }
  registry.Release(entry, why.ok() ? absl::AbortedError("the Dial call that owned it ended") : why,
                   host, now);
}

uint64_t DialReactor::BytesAcked(Host* host) const {
  return BytesAckedSoFar(entry_, host, last_acked_);
}

void DialReactor::Complete(const grpc::Status& status, Host* host) {
  const bool used_connection = phase_ != Phase::kAwaitOpen;
  const uint64_t acked = BytesAcked(host);
  if (!call_.Finishing(status, used_connection ? std::optional<uint64_t>(acked) : std::nullopt)) {
    return;
  }
  // Every path releases the connection before it ends the call; should one not, the
  // connection must not outlive the call unowned.
  if (entry_ != nullptr && host != nullptr) {
    ReleaseConnection(ToAbslStatus(status), *host, call_.core().stack().now());
  }
  pending_.Clear();
  if (write_in_flight_) {
    deferred_finish_ = status;  // sent after the message in flight (OnWriteDone)
    return;
  }
  Finish(status);
}

}  // namespace tcpaas::server
