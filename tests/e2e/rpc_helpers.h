// Whole-call helpers over the raw stubs, for tests that check one RPC's exact behaviour.
#ifndef TCPAAS_TESTS_E2E_RPC_HELPERS_H_
#define TCPAAS_TESTS_E2E_RPC_HELPERS_H_

#include <chrono>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"
#include "tcpaas/v1/tcp.grpc.pb.h"

namespace tcpaas::e2e {

// "UNAVAILABLE: connection refused ..." for messages.
std::string Describe(const grpc::Status& status);

struct SendResult {
  grpc::Status status;
  v1::SendResponse response;
};
// One Send call carrying `data` in `chunk`-byte messages, the last with `fin` if asked.
SendResult SendCall(v1::TcpService::Stub& stub, const std::string& id, absl::string_view data,
                    bool fin, size_t chunk = 64 * 1024);

struct RecvResult {
  grpc::Status status;
  std::string data;
  bool eof = false;  // a message carried eof
};
// One Recv call read to its end; `deadline` bounds it (default 2 minutes).
RecvResult RecvCall(v1::TcpService::Stub& stub, const std::string& id,
                    std::optional<std::chrono::milliseconds> deadline = std::nullopt);

struct CloseResult {
  grpc::Status status;
  v1::Connection connection;
};
CloseResult CloseCall(v1::TcpService::Stub& stub, const std::string& id, bool abort = false,
                      bool wait_for_ack = false);

grpc::Status GetConnectionCall(v1::TcpService::Stub& stub, const std::string& id,
                               v1::Connection* out);

// A connection id nobody was given: 32 hex digits.
std::string UnknownId();

// A deadline `d` from now, for ClientContext::set_deadline.
inline std::chrono::system_clock::time_point In(std::chrono::milliseconds d) {
  return std::chrono::system_clock::now() + d;
}

}  // namespace tcpaas::e2e

#endif  // TCPAAS_TESTS_E2E_RPC_HELPERS_H_
