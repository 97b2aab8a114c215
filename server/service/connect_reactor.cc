#include "server/service/connect_reactor.h"

#include <utility>

#include "server/service/status_mapping.h"
#include "stack/host/host.h"

namespace tcpaas::server {

ConnectReactor::ConnectReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                               const tcpaas::v1::ConnectRequest* request,
                               tcpaas::v1::ConnectResponse* response)
    : call_(core, context, "Connect"), response_(response) {
  if (grpc::Status refused = call_.RefuseIfDraining(); !refused.ok()) {
    Complete(refused);
    return;
  }
  auto plan = ToConnectPlan(*request, core->options().connection_defaults);
  if (!plan.ok()) {
    Complete(ToGrpcStatus(plan.status()));
    return;
  }
  plan_ = *std::move(plan);
  absl::Status queued =
      core->executor().TryRun([this](Host& host, Instant now) { Open(host, now); });
  if (!queued.ok()) Complete(ToGrpcStatus(StackRefusedStatus(queued)));
}

void ConnectReactor::Open(Host& host, Instant now) {
  if (call_.finished()) return;  // cancelled before the stack got to it
  ConnectionRegistry& registry = call_.core().registry();
  if (registry.full()) {
    Complete(ToGrpcStatus(absl::ResourceExhaustedError(
        absl::StrCat("connection limit reached: ", registry.limit(),
                     " connections are open (close some, or raise --max_connections)"))));
    return;
  }
  auto conn = host.tcp().Connect(plan_.remote, plan_.options, now, plan_.local_port);
  if (!conn.ok()) {
    Complete(ToGrpcStatus(conn.status()));
    return;
  }
  auto entry = registry.Add(*conn, ConnectionDirection::kActive);
  if (!entry.ok()) {
    host.tcp().Abort(*conn, now).IgnoreError();
    Complete(ToGrpcStatus(entry.status()));
    return;
  }
  entry_ = *entry;
  entry_->congestion_control = plan_.options.congestion_control;
  if (auto stats = host.tcp().GetStats(*conn); stats.ok()) entry_->tuple = stats->tuple;
  registry.Attach(entry_, this);
}

void ConnectReactor::OnConnectionEvent(const tcp::TcpEvent& event, Host& host, Instant now) {
  if (entry_ == nullptr) return;
  if (event.type == tcp::TcpEventType::kEstablished) {
    auto stats = host.tcp().GetStats(entry_->conn);
    FillProtoConnection(*entry_, stats.ok() ? &*stats : nullptr, response_->mutable_connection());
    opened_id_ = entry_->id;
    call_.core().registry().Detach(entry_, this);
    entry_ = nullptr;
    Complete(grpc::Status::OK);
    return;
  }
  if (event.type == tcp::TcpEventType::kClosed) {
    const absl::Status failed = ConnectFailedStatus(event.reason, plan_.remote);
    Discard(/*abort=*/false, host, now);
    Complete(ToGrpcStatus(failed));
  }
}

void ConnectReactor::OnConnectionReleased(const absl::Status& why, Host& host, Instant now) {
  entry_ = nullptr;
  Complete(ToGrpcStatus(absl::UnavailableError(
      absl::StrCat("the connection closed before it was established: ", why.message()))));
}

void ConnectReactor::OnCancel() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (call_.finished()) return;
    Discard(/*abort=*/true, host, now);
    Complete(
        call_.CancelledStatus(absl::StrCat("connect to ", plan_.remote.ToString(), " abandoned")));
  });
}

void ConnectReactor::OnDone() {
  // A call cancelled after it answered may never have delivered the id: nobody could use or
  // close that connection, so it goes too (unless someone already found it).
  const bool cancelled = call_.context()->IsCancelled();
  call_.core().executor().Run([this, cancelled](Host& host, Instant now) {
    if (entry_ != nullptr) Discard(/*abort=*/true, host, now);
    if (cancelled && !opened_id_.empty()) {
      ConnectionEntry* entry = call_.core().registry().Find(opened_id_);
      if (entry != nullptr && entry->observers.empty()) {
        entry_ = entry;
        Discard(/*abort=*/true, host, now);
      }
    }
    delete this;
  });
}

void ConnectReactor::Discard(bool abort, Host& host, Instant now) {
  if (entry_ == nullptr) return;
  ConnectionEntry* entry = entry_;
  entry_ = nullptr;
  call_.core().registry().Detach(entry, this);
  if (abort) {
    host.tcp().Abort(entry->conn, now).IgnoreError();
  } else {
    host.tcp().Close(entry->conn, now).IgnoreError();
  }
  call_.core().registry().Release(entry, absl::CancelledError("connect abandoned"), host, now);
}

void ConnectReactor::Complete(const grpc::Status& status) {
  if (!call_.Finishing(status)) return;
  Finish(status);
}

}  // namespace tcpaas::server
