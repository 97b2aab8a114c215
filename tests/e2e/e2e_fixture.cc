#include "tests/e2e/e2e_fixture.h"

#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tests/support/netns.h"

namespace tcpaas::e2e {
namespace {

// "ConnectRefused" -> "connectrefused": a namespace tag from the test's name.
std::string TagFor(const ::testing::TestInfo& test) {
  std::string tag = absl::AsciiStrToLower(test.name());
  std::string out;
  for (char c : tag) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return absl::StrCat("e2e-", out.substr(0, 20));
}

}  // namespace

std::string TcpaasdPath() { return TCPAAS_TCPAASD_PATH; }
std::string TcpcatPath() { return TCPAAS_TCPCAT_PATH; }

void E2eTest::SetUp() {
  if (std::string why; !test::CanUseNetworkDevices(&why)) GTEST_SKIP() << why;
  test::RemoveStaleTestNamespaces();
  const ::testing::TestInfo& info = *::testing::UnitTest::GetInstance()->current_test_info();
  absl::StatusOr<std::unique_ptr<Tcpaasd>> daemon =
      Tcpaasd::Start(TcpaasdPath(), TagFor(info), ExtraFlags());
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  daemon_ = *std::move(daemon);
  stub_ = v1::TcpService::NewStub(daemon_->channel());
  client_ = std::make_unique<client::Client>(daemon_->channel());
}

void E2eTest::TearDown() {
  if (daemon_ == nullptr) return;
  client_.reset();
  stub_.reset();
  const absl::Status stopped = daemon_->Stop();
  EXPECT_TRUE(stopped.ok()) << stopped << "\ntcpaasd log (" << daemon_->log_path() << "):\n"
                            << daemon_->LogTail();
  if (HasFailure()) {
    std::cerr << "tcpaasd log " << daemon_->log_path() << " (tail):\n"
              << daemon_->LogTail(4096) << "\n";
  }
  daemon_.reset();
}

v1::Connection E2eTest::MustConnect(const std::string& host, uint32_t port) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::ConnectRequest request;
  request.set_host(host);
  request.set_port(port);
  v1::ConnectResponse response;
  const grpc::Status status = stub_->Connect(&context, request, &response);
  EXPECT_TRUE(status.ok()) << "Connect " << host << ":" << port << ": " << status.error_message();
  return response.connection();
}

}  // namespace tcpaas::e2e
