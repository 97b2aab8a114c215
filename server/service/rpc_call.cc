#include "server/service/rpc_call.h"

#include "absl/strings/str_cat.h"

namespace tcpaas::server {

RpcCall::RpcCall(ServiceCore* core, grpc::CallbackServerContext* context, absl::string_view method)
    : core_(core), context_(context), method_(method) {
  core_->ReactorStarted();
}

RpcCall::~RpcCall() { core_->ReactorDone(); }

bool RpcCall::Finishing(const grpc::Status& status, std::optional<uint64_t> bytes_acked) {
  if (finished_) return false;
  finished_ = true;
  if (bytes_acked.has_value()) {
    context_->AddTrailingMetadata(kBytesAckedTrailer, absl::StrCat(*bytes_acked));
  }
  core_->calls().Record(method_, status.error_code());
  return true;
}

grpc::Status RpcCall::CancelledStatus(absl::string_view what) const {
  if (std::chrono::system_clock::now() >= context_->deadline()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        absl::StrCat("the RPC's deadline passed: ", what));
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, absl::StrCat("the client cancelled: ", what));
}

grpc::Status RpcCall::RefuseIfDraining() const {
  if (!core_->draining()) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "the server is draining (shutting down); it accepts no new calls");
}

}  // namespace tcpaas::server
