// How the stack's outcomes become gRPC statuses (tcp.proto's error lists, DESIGN.md "The
// service"): every message names the cause and, once the connection was established, how many
// bytes the peer acknowledged, so a client knows exactly what was delivered.
#ifndef TCPAAS_SERVER_SERVICE_STATUS_MAPPING_H_
#define TCPAAS_SERVER_SERVICE_STATUS_MAPPING_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"
#include "stack/base/counters.h"
#include "stack/wire/addr.h"

namespace tcpaas::server {

// The same code and message (absl and gRPC share the code numbers).
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status ToAbslStatus(const grpc::Status& status);

// "OK", "CANCELLED", ... as in the gRPC spec (metrics labels).
absl::string_view StatusCodeName(grpc::StatusCode code);

// A connection that closed before it was established: UNAVAILABLE for refused, unreachable
// and SYN timeout (and the server's shutdown), naming `remote` and the cause.
absl::Status ConnectFailedStatus(CloseReason reason, const Endpoint& remote);

// A connection that ended after it was established, seen by a stream that still had work:
// ABORTED for reset, timeouts, unreachable, local abort; UNAVAILABLE for the server's shutdown.
// The message ends with the bytes the peer acknowledged.
absl::Status ConnectionLostStatus(CloseReason reason, uint64_t bytes_acked);

// " (the peer acknowledged N bytes)", appended to messages after data moved.
std::string AckedSuffix(uint64_t bytes_acked);

// A Post() refusal of the stack thread at the start of an RPC: RESOURCE_EXHAUSTED when the
// command queue is full, UNAVAILABLE when the stack is not running.
absl::Status StackRefusedStatus(const absl::Status& post_error);

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_STATUS_MAPPING_H_
