#include "server/service/status_mapping.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace tcpaas::server {
namespace {

const Endpoint kRemote{Ipv4Address::FromOctets(198, 18, 0, 1), Port(7)};

struct ConnectCase {
  CloseReason reason;
  const char* must_mention;
};

class ConnectFailedTest : public testing::TestWithParam<ConnectCase> {};

TEST_P(ConnectFailedTest, IsUnavailableAndNamesTheCauseAndPeer) {
  const absl::Status s = ConnectFailedStatus(GetParam().reason, kRemote);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), GetParam().must_mention)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "198.18.0.1:7")) << s;
}

INSTANTIATE_TEST_SUITE_P(Reasons, ConnectFailedTest,
                         testing::Values(ConnectCase{CloseReason::kRefused, "refused"},
                                         ConnectCase{CloseReason::kSynTimeout, "timed out"},
                                         ConnectCase{CloseReason::kUnreachable, "unreachable"},
                                         ConnectCase{CloseReason::kStackShutdown, "shutting down"},
                                         ConnectCase{CloseReason::kReset, "reset"}));

struct LostCase {
  CloseReason reason;
  absl::StatusCode code;
  const char* must_mention;
};

class ConnectionLostTest : public testing::TestWithParam<LostCase> {};

TEST_P(ConnectionLostTest, CodeCauseAndBytesAcknowledged) {
  const absl::Status s = ConnectionLostStatus(GetParam().reason, 123456);
  EXPECT_EQ(s.code(), GetParam().code) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), GetParam().must_mention)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "acknowledged 123456 bytes")) << s;
}

INSTANTIATE_TEST_SUITE_P(
    Reasons, ConnectionLostTest,
    testing::Values(
        LostCase{CloseReason::kReset, absl::StatusCode::kAborted, "reset by the peer"},
        LostCase{CloseReason::kRetransmitTimeout, absl::StatusCode::kAborted, "timed out"},
        LostCase{CloseReason::kUserTimeout, absl::StatusCode::kAborted, "user_timeout_ms"},
        LostCase{CloseReason::kKeepaliveTimeout, absl::StatusCode::kAborted, "keepalive"},
        LostCase{CloseReason::kUnreachable, absl::StatusCode::kAborted, "unreachable"},
        LostCase{CloseReason::kAborted, absl::StatusCode::kAborted, "aborted locally"},
        LostCase{CloseReason::kStackShutdown, absl::StatusCode::kUnavailable, "shutting down"}));

TEST(StatusMappingTest, AbslAndGrpcCodesRoundTrip) {
  for (int code = 0; code <= 16; ++code) {
    const absl::Status a(static_cast<absl::StatusCode>(code), code == 0 ? "" : "why");
    const grpc::Status g = ToGrpcStatus(a);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    EXPECT_EQ(ToAbslStatus(g), a);
  }
}

TEST(StatusMappingTest, CodeNamesFollowTheGrpcSpec) {
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
}

TEST(StatusMappingTest, StackRefusalMapsToRetryableCodes) {
  EXPECT_EQ(StackRefusedStatus(absl::ResourceExhaustedError("full")).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(StackRefusedStatus(absl::FailedPreconditionError("stopped")).code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace tcpaas::server
