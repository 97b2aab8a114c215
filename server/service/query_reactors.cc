#include "server/service/query_reactors.h"

#include "absl/strings/str_cat.h"
#include "server/service/proto_convert.h"
#include "server/service/status_mapping.h"
#include "stack/host/host.h"

namespace tcpaas::server {
namespace {

void FillFromStack(const ConnectionEntry& entry, Host& host, tcpaas::v1::Connection* out) {
  auto stats = host.tcp().GetStats(entry.conn);
  FillProtoConnection(entry, stats.ok() ? &*stats : nullptr, out);
}

}  // namespace

GetConnectionReactor::GetConnectionReactor(ServiceCore* core, grpc::CallbackServerContext* context,
                                           const tcpaas::v1::GetConnectionRequest* request,
                                           tcpaas::v1::Connection* response)
    : call_(core, context, "GetConnection"), id_(request->connection_id()), response_(response) {
  if (id_.empty()) {
    Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "connection_id is empty"));
    return;
  }
  absl::Status queued = core->executor().TryRun([this](Host& host, Instant) { Lookup(host); });
  if (!queued.ok()) Complete(ToGrpcStatus(StackRefusedStatus(queued)));
}

void GetConnectionReactor::Lookup(Host& host) {
  const ConnectionEntry* entry = call_.core().registry().Find(id_);
  if (entry == nullptr) {
    Complete(
        grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no connection with id ", id_)));
    return;
  }
  FillFromStack(*entry, host, response_);
  Complete(grpc::Status::OK);
}

void GetConnectionReactor::OnDone() {
  delete this;  // nothing on the stack thread refers to this call any more
}

void GetConnectionReactor::Complete(const grpc::Status& status) {
  if (call_.Finishing(status)) Finish(status);
}

ListConnectionsReactor::ListConnectionsReactor(ServiceCore* core,
                                               grpc::CallbackServerContext* context,
                                               tcpaas::v1::ListConnectionsResponse* response)
    : call_(core, context, "ListConnections"), response_(response) {
  absl::Status queued = core->executor().TryRun([this](Host& host, Instant) { List(host); });
  if (!queued.ok()) Complete(ToGrpcStatus(StackRefusedStatus(queued)));
}

void ListConnectionsReactor::List(Host& host) {
  for (const ConnectionEntry* entry : call_.core().registry().Entries()) {
    FillFromStack(*entry, host, response_->add_connections());
  }
  Complete(grpc::Status::OK);
}

void ListConnectionsReactor::OnDone() {
  delete this;  // nothing on the stack thread refers to this call any more
}

void ListConnectionsReactor::Complete(const grpc::Status& status) {
  if (call_.Finishing(status)) Finish(status);
}

}  // namespace tcpaas::server
