// The standard gRPC services tcpaasd enables: grpc.health.v1 (SERVING while up) and server
// reflection (so grpcurl-style tools discover tcpaas.v1.TcpService).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/proto/health_subset.grpc.pb.h"
#include "tests/e2e/proto/reflection_subset.grpc.pb.h"
#include "tests/e2e/rpc_helpers.h"

namespace tcpaas::e2e {
namespace {

using ::testing::Contains;

class StandardServicesTest : public E2eTest {};

TEST_F(StandardServicesTest, HealthIsServing) {
  auto health = grpc::health::v1::Health::NewStub(daemon().channel());
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(10)));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status =
      health->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(StandardServicesTest, ReflectionListsTheTcpService) {
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(daemon().channel());
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(10)));
  auto call = reflection->ServerReflectionInfo(&context);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(call->Write(request));
  call->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  std::vector<std::string> services;
  while (call->Read(&response)) {
    for (const auto& s : response.list_services_response().service()) services.push_back(s.name());
  }
  const grpc::Status status = call->Finish();
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_THAT(services, Contains("tcpaas.v1.TcpService"));
  EXPECT_THAT(services, Contains("grpc.health.v1.Health"));
}

}  // namespace
}  // namespace tcpaas::e2e
