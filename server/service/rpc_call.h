// The bookkeeping every RPC reactor of the service shares: which method it serves, whether it
// has finished, how it counts its final status, and the status a cancellation ends with.
#ifndef TCPAAS_SERVER_SERVICE_RPC_CALL_H_
#define TCPAAS_SERVER_SERVICE_RPC_CALL_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "server/service/service_core.h"

namespace tcpaas::server {

// Trailing metadata key carrying the bytes the peer acknowledged, on every status of a call
// that used an established connection.
inline constexpr char kBytesAckedTrailer[] = "tcpaas-bytes-acked";

class RpcCall {
 public:
  RpcCall(ServiceCore* core, grpc::CallbackServerContext* context, absl::string_view method);
  ~RpcCall();
  RpcCall(const RpcCall&) = delete;
  RpcCall& operator=(const RpcCall&) = delete;

  ServiceCore& core() { return *core_; }
  grpc::CallbackServerContext* context() { return context_; }
  const std::string& method() const { return method_; }

  // Marks the call finished and counts `status`; false if it had finished already (the
  // caller then must not call Finish()). `bytes_acked` becomes trailing metadata.
  bool Finishing(const grpc::Status& status, std::optional<uint64_t> bytes_acked = std::nullopt);
  bool finished() const { return finished_; }

  // How a cancelled call ends: DEADLINE_EXCEEDED once its deadline has passed, else
  // CANCELLED. `what` says what was abandoned.
  grpc::Status CancelledStatus(absl::string_view what) const;

  // UNAVAILABLE while the server drains (new RPCs are refused), else OK.
  grpc::Status RefuseIfDraining() const;

 private:
  ServiceCore* core_;
  grpc::CallbackServerContext* context_;
  std::string method_;
  bool finished_ = false;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_RPC_CALL_H_
