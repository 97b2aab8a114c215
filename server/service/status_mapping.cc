#include "server/service/status_mapping.h"

#include "absl/strings/str_cat.h"

namespace tcpaas::server {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status ToAbslStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

absl::string_view StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

std::string AckedSuffix(uint64_t bytes_acked) {
  return absl::StrCat(" (the peer acknowledged ", bytes_acked, " bytes)");
}

absl::Status ConnectFailedStatus(CloseReason reason, const Endpoint& remote) {
  const std::string to = remote.ToString();
  switch (reason) {
    case CloseReason::kRefused:
      return absl::UnavailableError(
          absl::StrCat("connection refused: ", to, " answered the SYN with a RST"));
    case CloseReason::kSynTimeout:
      return absl::UnavailableError(absl::StrCat(
          "connect to ", to, " timed out: no SYN-ACK before the connect timeout or SYN retries"));
    case CloseReason::kUnreachable:
      return absl::UnavailableError(absl::StrCat(
          to, " is unreachable (ICMP destination unreachable, or no ARP reply for the next hop)"));
    case CloseReason::kStackShutdown:
      return absl::UnavailableError(
          absl::StrCat("connect to ", to, " abandoned: the server is shutting down"));
    case CloseReason::kReset:
      return absl::UnavailableError(
          absl::StrCat("connection to ", to, " was reset during the handshake"));
    case CloseReason::kAborted:
      return absl::UnavailableError(absl::StrCat("connect to ", to, " was aborted"));
    default:
      return absl::UnavailableError(
          absl::StrCat("connect to ", to, " failed (", std::string(CloseReasonName(reason)), ")"));
  }
}

absl::Status ConnectionLostStatus(CloseReason reason, uint64_t bytes_acked) {
  const std::string acked = AckedSuffix(bytes_acked);
  switch (reason) {
    case CloseReason::kReset:
      return absl::AbortedError(absl::StrCat("connection reset by the peer", acked));
    case CloseReason::kRetransmitTimeout:
      return absl::AbortedError(
          absl::StrCat("connection timed out: retransmissions went unacknowledged", acked));
    case CloseReason::kUserTimeout:
      return absl::AbortedError(absl::StrCat(
          "connection timed out: data stayed unacknowledged beyond user_timeout_ms", acked));
    case CloseReason::kKeepaliveTimeout:
      return absl::AbortedError(
          absl::StrCat("connection timed out: the peer stopped answering keepalives", acked));
    case CloseReason::kUnreachable:
      return absl::AbortedError(absl::StrCat("the peer became unreachable", acked));
    case CloseReason::kAborted:
      return absl::AbortedError(absl::StrCat("connection aborted locally (RST sent)", acked));
    case CloseReason::kRefused:
      return absl::AbortedError(absl::StrCat("connection refused", acked));
    case CloseReason::kSynTimeout:
      return absl::AbortedError(absl::StrCat("connection timed out in the handshake", acked));
    case CloseReason::kStackShutdown:
      return absl::UnavailableError(
          absl::StrCat("connection closed: the server is shutting down", acked));
    case CloseReason::kNormal:
    default:
      return absl::AbortedError(absl::StrCat("connection closed", acked));
  }
}

absl::Status StackRefusedStatus(const absl::Status& post_error) {
  if (absl::IsResourceExhausted(post_error)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the stack's command queue is full; retry later: ", post_error.message()));
  }
  return absl::UnavailableError(
      absl::StrCat("the TCP/IP stack is not running: ", post_error.message()));
}

}  // namespace tcpaas::server
