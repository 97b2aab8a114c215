#include "clients/cpp/grpc_status.h"

#include "absl/strings/str_cat.h"

namespace tcpaas::client {

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::string DescribeStatus(const absl::Status& status) {
  // absl names a code by its google.rpc.Code name ("DEADLINE_EXCEEDED"), as gRPC tools do.
  std::string code = absl::StatusCodeToString(status.code());
  if (status.message().empty()) return code;
  return absl::StrCat(code, ": ", status.message());
}

}  // namespace tcpaas::client
