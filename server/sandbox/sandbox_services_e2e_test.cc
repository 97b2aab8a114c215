// The sandbox's kernel-side services, exercised with kernel sockets inside a namespace of the
// test's own (root and /dev/net/tun needed; skipped otherwise).
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "server/sandbox/chargen_pattern.h"
#include "server/sandbox/sandbox_services.h"
#include "server/testing/kernel_peer.h"
#include "tests/support/netns.h"

namespace tcpaas::server {
namespace {

using test_util::KernelPeer;

constexpr Ipv4Address kAddress = Ipv4Address::FromOctets(198, 18, 0, 1);

std::string Chargen(uint64_t offset, size_t n) {
  std::string out(n, '\0');
  ChargenPattern(offset).Fill(absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), n));
  return out;
}

class SandboxServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why; !test::CanUseNetworkDevices(&why)) GTEST_SKIP() << why;
    auto ns = test::TestNetns::Create("sandboxsvc");
    ASSERT_TRUE(ns.ok()) << ns.status();
    netns_ = *std::move(ns);
    ASSERT_TRUE(netns_->Exec({"ip", "addr", "add", "198.18.0.1/32", "dev", "lo"}).ok());
  }

  void StartServices(size_t max_connections = 1024) {
    SandboxServicesOptions options;
    options.netns = netns_->name();
    options.address = kAddress;
    options.max_connections = max_connections;
    options.max_http_body_bytes = 1 << 20;
    auto services = SandboxServices::Start(options);
    ASSERT_TRUE(services.ok()) << services.status();
    services_ = *std::move(services);
  }

  KernelPeer Connect(uint16_t port) {
    auto peer = KernelPeer::Connect(netns_->name(), Endpoint{kAddress, Port(port)});
    EXPECT_TRUE(peer.ok()) << peer.status();
    return peer.ok() ? *std::move(peer) : KernelPeer();
  }

  std::string Http(const std::string& request) {
    KernelPeer peer = Connect(80);
    EXPECT_TRUE(peer.WriteAll(request).ok());
    auto response = peer.ReadToEof();
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : "";
  }

  std::unique_ptr<test::TestNetns> netns_;
  std::unique_ptr<SandboxServices> services_;
};

TEST_F(SandboxServicesTest, EchoReturnsEveryByteThenFin) {
  StartServices();
  KernelPeer peer = Connect(7);
  // 4 MiB, far more than the service buffers: it must stop reading while we do not read.
  std::string data(4 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131) >> 3);
  std::thread writer([&] {
    EXPECT_TRUE(peer.WriteAll(data).ok());
    peer.ShutdownWrite();
  });
  auto echoed = peer.ReadToEof();
  writer.join();
  ASSERT_TRUE(echoed.ok()) << echoed.status();
  EXPECT_EQ(echoed->size(), data.size());
  EXPECT_TRUE(*echoed == data);
}

TEST_F(SandboxServicesTest, DiscardReadsEverythingAndClosesAfterFin) {
  StartServices();
  KernelPeer peer = Connect(9);
  ASSERT_TRUE(peer.WriteAll(std::string(1 << 20, 'd')).ok());
  peer.ShutdownWrite();
  auto rest = peer.ReadToEof();
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_TRUE(rest->empty());
}

TEST_F(SandboxServicesTest, ChargenSendsTheRfc864Stream) {
  StartServices();
  KernelPeer peer = Connect(19);
  auto got = peer.Read(100000);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got == Chargen(0, 100000));
}

TEST_F(SandboxServicesTest, HttpIndexPage) {
  StartServices();
  const std::string r = Http("GET / HTTP/1.1\r\nHost: 198.18.0.1\r\n\r\n");
  EXPECT_TRUE(absl::StartsWith(r, "HTTP/1.1 200 OK\r\n")) << r;
  EXPECT_TRUE(absl::StrContains(r, "Content-Type: text/html")) << r;
  EXPECT_TRUE(absl::StrContains(r, "<h1>tcpaas sandbox</h1>")) << r;
}

TEST_F(SandboxServicesTest, HttpBytesSendsExactlyNChargenBytes) {
  StartServices();
  const std::string r = Http("GET /bytes/300000 HTTP/1.1\r\nHost: x\r\n\r\n");
  const size_t body = r.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos) << r.substr(0, 200);
  const std::string head = r.substr(0, body);
  EXPECT_TRUE(absl::StartsWith(head, "HTTP/1.1 200 OK")) << head;
  EXPECT_TRUE(absl::StrContains(head, "Content-Length: 300000")) << head;
  const std::string payload = r.substr(body + 4);
  EXPECT_EQ(payload.size(), 300000u);
  EXPECT_TRUE(payload == Chargen(0, 300000));
}

TEST_F(SandboxServicesTest, HttpErrors) {
  StartServices();
  EXPECT_TRUE(absl::StartsWith(Http("GET /nothing HTTP/1.1\r\n\r\n"), "HTTP/1.1 404 "));
  EXPECT_TRUE(absl::StartsWith(Http("GET /bytes/2000000 HTTP/1.1\r\n\r\n"), "HTTP/1.1 400 "));
  EXPECT_TRUE(absl::StartsWith(Http("DELETE / HTTP/1.1\r\n\r\n"), "HTTP/1.1 405 "));
  EXPECT_TRUE(absl::StartsWith(Http("nonsense\r\n\r\n"), "HTTP/1.1 400 "));
  const std::string head = Http("HEAD /bytes/5000 HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(absl::StrContains(head, "Content-Length: 5000")) << head;
  EXPECT_TRUE(absl::EndsWith(head, "\r\n\r\n")) << head;  // no body
}

TEST_F(SandboxServicesTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  StartServices(/*max_connections=*/2);
  KernelPeer first = Connect(7);
  KernelPeer second = Connect(7);
  // Both are served...
  ASSERT_TRUE(first.WriteAll("a").ok());
  ASSERT_TRUE(second.WriteAll("b").ok());
  EXPECT_EQ(*first.Read(1), "a");
  EXPECT_EQ(*second.Read(1), "b");
  EXPECT_EQ(services_->connection_count(), 2u);
  // ...the third is accepted by the kernel and closed by the service.
  KernelPeer third = Connect(7);
  auto got = third.ReadToEof();
  EXPECT_TRUE(!got.ok() || got->empty());
  EXPECT_EQ(services_->connection_count(), 2u);
}

TEST_F(SandboxServicesTest, StopClosesEverything) {
  StartServices();
  KernelPeer peer = Connect(7);
  ASSERT_TRUE(peer.WriteAll("x").ok());
  EXPECT_EQ(*peer.Read(1), "x");
  services_->Stop();
  EXPECT_EQ(services_->connection_count(), 0u);
  auto rest = peer.ReadToEof();
  EXPECT_TRUE(!rest.ok() || rest->empty());
  EXPECT_FALSE(KernelPeer::Connect(netns_->name(), Endpoint{kAddress, Port(7)}, 2).ok());
}

}  // namespace
}  // namespace tcpaas::server
