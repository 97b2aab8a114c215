// Conversion of gRPC statuses into absl::Status, keeping the code and the server's message.
#ifndef TCPAAS_CLIENTS_CPP_GRPC_STATUS_H_
#define TCPAAS_CLIENTS_CPP_GRPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace tcpaas::client {

// grpc::StatusCode and absl::StatusCode share their numbering (both follow
// google.rpc.Code), so the code carries over unchanged.
absl::Status FromGrpc(const grpc::Status& status);

// "UNAVAILABLE: connection refused by 198.18.0.1:5" — what tcpcat prints on failure.
std::string DescribeStatus(const absl::Status& status);

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_GRPC_STATUS_H_
