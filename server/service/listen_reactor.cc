#include "server/service/listen_reactor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/service/proto_convert.h"
#include "server/service/status_mapping.h"
#include "stack/host/host.h"

namespace tcpaas::server {

ListenReactor::ListenReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                             const tcpaas::v1::ListenRequest* request)
    : call_(core, context, "Listen") {
  if (grpc::Status refused = call_.RefuseIfDraining(); !refused.ok()) {
    Complete(refused);
    return;
  }
  if (request->port() == 0 || request->port() > 65535) {
    Complete(grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("port is ", request->port(), "; it must be between 1 and 65535")));
    return;
  }
  if (request->backlog() > kMaxBacklog) {
    Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("backlog is ", request->backlog(), "; it must be 0 (",
                                       kDefaultBacklog, ") or at most ", kMaxBacklog)));
    return;
  }
  auto options = ToConnectionOptions(request->options(), core->options().connection_defaults);
  if (!options.ok()) {
    Complete(ToGrpcStatus(options.status()));
    return;
  }
  port_ = Port(static_cast<uint16_t>(request->port()));
  backlog_ = static_cast<int>(request->backlog() == 0 ? kDefaultBacklog : request->backlog());
  options_ = *std::move(options);
  absl::Status queued =
      core->executor().TryRun([this](Host& host, Instant now) { Open(host, now); });
  if (!queued.ok()) Complete(ToGrpcStatus(StackRefusedStatus(queued)));
}

void ListenReactor::Open(Host& host, Instant now) {
  if (call_.finished()) return;
  auto listener = host.tcp().Listen(port_, backlog_, options_);
  if (!listener.ok()) {
    Complete(ToGrpcStatus(listener.status()));
    return;
  }
  listener_ = *listener;
  call_.core().AddListener(*listener_, this);
  // The response headers go out now, so the client knows the port is open before the first
  // connection arrives.
  StartSendInitialMetadata();
  Pump(host, now);
}

void ListenReactor::Pump(Host& host, Instant now) {
  if (call_.finished() || !listener_.has_value() || write_in_flight_) return;
  ConnectionRegistry& registry = call_.core().registry();
  while (std::optional<tcp::ConnId> conn = host.tcp().Accept(*listener_)) {
    auto entry = registry.Add(*conn, ConnectionDirection::kPassive);
    if (!entry.ok()) {
      // At the connection limit: refuse this one with RST rather than leave it unowned.
      host.tcp().Abort(*conn, now).IgnoreError();
      continue;
    }
    auto stats = host.tcp().GetStats(*conn);
    if (stats.ok()) (*entry)->tuple = stats->tuple;
    (*entry)->congestion_control = options_.congestion_control;
    response_.Clear();
    FillProtoConnection(**entry, stats.ok() ? &*stats : nullptr, response_.mutable_connection());
    announcing_id_ = (*entry)->id;
    write_in_flight_ = true;
    StartWrite(&response_);
    return;
  }
}

void ListenReactor::OnWriteDone(bool ok) {
  call_.core().executor().Run([this, ok](Host& host, Instant now) {
    write_in_flight_ = false;
    if (!ok && !announcing_id_.empty()) {
      // The client never got this id: nobody could use or close the connection.
      ConnectionRegistry& registry = call_.core().registry();
      if (ConnectionEntry* entry = registry.Find(announcing_id_);
          entry != nullptr && entry->observers.empty()) {
        host.tcp().Abort(entry->conn, now).IgnoreError();
        registry.Release(entry, absl::CancelledError("never announced"), host, now);
      }
    }
    announcing_id_.clear();
    if (deferred_finish_.has_value()) {
      Finish(*deferred_finish_);
      deferred_finish_.reset();
      return;
    }
    if (call_.finished()) return;
    if (!ok) {
      CloseListener(host, now);
      Complete(call_.CancelledStatus("the Listen stream ended"));
      return;
    }
    Pump(host, now);
  });
}

void ListenReactor::OnAcceptReady(Host& host, Instant now) { Pump(host, now); }

void ListenReactor::OnListenerClosed(const absl::Status& why, Host& host, Instant now) {
  listener_.reset();
  Complete(ToGrpcStatus(why));
}

void ListenReactor::OnCancel() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    if (call_.finished()) return;
    CloseListener(host, now);
    Complete(call_.CancelledStatus("the Listen stream ended; the listener is closed"));
  });
}

void ListenReactor::OnDone() {
  call_.core().executor().Run([this](Host& host, Instant now) {
    CloseListener(host, now);
    delete this;
  });
}

void ListenReactor::CloseListener(Host& host, Instant now) {
  if (!listener_.has_value()) return;
  call_.core().RemoveListener(*listener_);
  // Connections not yet accepted are reset (the TCP layer's rule).
  host.tcp().CloseListener(*listener_, now).IgnoreError();
  listener_.reset();
}

void ListenReactor::Complete(const grpc::Status& status) {
  if (!call_.Finishing(status)) return;
  if (write_in_flight_) {
    deferred_finish_ = status;
    return;
  }
  Finish(status);
}

}  // namespace tcpaas::server
