// The base of every end-to-end test: a fresh tcpaasd in its own sandbox per test, a stub and a
// client library instance pointed at it; skips (with the reason) without root or
// /dev/net/tun.
#ifndef TCPAAS_TESTS_E2E_E2E_FIXTURE_H_
#define TCPAAS_TESTS_E2E_E2E_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clients/cpp/client.h"
#include "gtest/gtest.h"
#include "tcpaas/v1/tcp.grpc.pb.h"
#include "tests/e2e/tcpaasd_process.h"

namespace tcpaas::e2e {

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Flags appended to tcpaasd's command line, for fixtures that need others.
  virtual std::vector<std::string> ExtraFlags() const { return {}; }

  v1::TcpService::Stub& stub() { return *stub_; }
  client::Client& client() { return *client_; }
  Tcpaasd& daemon() { return *daemon_; }

  // Connect through the stub; fails the test on error.
  v1::Connection MustConnect(const std::string& host, uint32_t port);

  std::unique_ptr<Tcpaasd> daemon_;
  std::unique_ptr<v1::TcpService::Stub> stub_;
  std::unique_ptr<client::Client> client_;
};

// The path of the tcpaasd binary the build made.
std::string TcpaasdPath();
// The path of the tcpcat binary the build made.
std::string TcpcatPath();

}  // namespace tcpaas::e2e

#endif  // TCPAAS_TESTS_E2E_E2E_FIXTURE_H_
