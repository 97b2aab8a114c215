#include "tests/e2e/rpc_helpers.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tcpaas::e2e {

std::string Describe(const grpc::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                      ": ", status.error_message());
}

SendResult SendCall(v1::TcpService::Stub& stub, const std::string& id, absl::string_view data,
                    bool fin, size_t chunk) {
  SendResult result;
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::minutes(2)));
  auto call = stub.Send(&context, &result.response);
  bool first = true;
  do {
    const size_t n = std::min(chunk, data.size());
    v1::SendRequest request;
    if (first) request.set_connection_id(id);
    first = false;
    request.set_data(data.data(), n);
    data.remove_prefix(n);
    request.set_fin(fin && data.empty());
    if (!call->Write(request)) break;
  } while (!data.empty());
  call->WritesDone();
  result.status = call->Finish();
  return result;
}

RecvResult RecvCall(v1::TcpService::Stub& stub, const std::string& id,
                    std::optional<std::chrono::milliseconds> deadline) {
  RecvResult result;
  grpc::ClientContext context;
  context.set_deadline(In(deadline.value_or(std::chrono::minutes(2))));
  v1::RecvRequest request;
  request.set_connection_id(id);
  auto call = stub.Recv(&context, request);
  v1::RecvResponse response;
  while (call->Read(&response)) {
    result.data += response.data();
    if (response.eof()) result.eof = true;
  }
  result.status = call->Finish();
  return result;
}

CloseResult CloseCall(v1::TcpService::Stub& stub, const std::string& id, bool abort,
                      bool wait_for_ack) {
  CloseResult result;
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(30)));
  v1::CloseRequest request;
  request.set_connection_id(id);
  request.set_abort(abort);
  request.set_wait_for_ack(wait_for_ack);
  v1::CloseResponse response;
  result.status = stub.Close(&context, request, &response);
  result.connection = response.connection();
  return result;
}

grpc::Status GetConnectionCall(v1::TcpService::Stub& stub, const std::string& id,
                               v1::Connection* out) {
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(10)));
  v1::GetConnectionRequest request;
  request.set_connection_id(id);
  return stub.GetConnection(&context, request, out);
}

std::string UnknownId() { return "0123456789abcdef0123456789abcdef"; }

}  // namespace tcpaas::e2e
