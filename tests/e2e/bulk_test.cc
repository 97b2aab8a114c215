// Bulk data through the service and the sandbox's echo service, checked by SHA-256: 32 MiB on
// one connection over each transport, and 200 concurrent connections of 1 MiB each.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "clients/cpp/client.h"
#include "gtest/gtest.h"
#include "tests/e2e/byte_pattern.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/sha256.h"

namespace tcpaas::e2e {
namespace {

constexpr size_t kChunk = 256 * 1024;

struct EchoResult {
  absl::Status write_status;
  absl::Status read_status;
  absl::Status close_status;
  std::string sent_sha;
  std::string received_sha;
  uint64_t received = 0;
};

// Sends `length` pattern bytes of stream `seed` through `stream` (then FIN) on one thread and
// reads the echo to EOF on another; hashes both sides.
EchoResult EchoThrough(client::Stream& stream, uint64_t seed, uint64_t length) {
  EchoResult result;
  std::thread writer([&] {
    Sha256 sha;
    for (uint64_t offset = 0; offset < length && result.write_status.ok(); offset += kChunk) {
      const std::string chunk =
          PatternBytes(seed, offset, std::min<uint64_t>(kChunk, length - offset));
      sha.Update(chunk);
      result.write_status = stream.Write(chunk);
    }
    if (result.write_status.ok()) result.write_status = stream.ShutdownWrite();
    result.sent_sha = sha.HexDigest();
  });
  Sha256 sha;
  for (;;) {
    absl::StatusOr<std::string> data = stream.Read(kChunk);
    if (!data.ok()) {
      result.read_status = data.status();
      break;
    }
    if (data->empty()) break;
    result.received += data->size();
    sha.Update(*data);
  }
  result.received_sha = sha.HexDigest();
  writer.join();
  result.close_status = stream.Close();
  return result;
}

class BulkTest : public E2eTest {
 protected:
  void EchoOneConnection(client::Transport transport, uint64_t length) {
    client::ConnectOptions options;
    options.transport = transport;
    absl::StatusOr<client::Stream> stream = client().Connect(kKernelAddress, kEchoPort, options);
    ASSERT_TRUE(stream.ok()) << stream.status();
    const EchoResult r = EchoThrough(*stream, /*seed=*/length, length);
    EXPECT_TRUE(r.write_status.ok()) << r.write_status;
    EXPECT_TRUE(r.read_status.ok()) << r.read_status;
    EXPECT_TRUE(r.close_status.ok()) << r.close_status;
    EXPECT_EQ(r.received, length);
    EXPECT_EQ(r.received_sha, r.sent_sha);
  }
};

TEST_F(BulkTest, Echo32MiBThroughSendAndRecv) {
  EchoOneConnection(client::Transport::kSendRecv, 32 << 20);
}

TEST_F(BulkTest, Echo32MiBThroughDial) { EchoOneConnection(client::Transport::kDial, 32 << 20); }

class ConcurrentTest : public BulkTest {
 protected:
  // `count` connections at once, each echoing 1 MiB of its own pattern; even ones Dial, odd
  // ones Connect + Send/Recv.
  void EchoConcurrently(int count) {
    constexpr uint64_t kLength = 1 << 20;
    std::vector<EchoResult> results(count);
    std::vector<absl::Status> connect_status(count);
    std::vector<std::thread> threads;
    threads.reserve(count);
    for (int i = 0; i < count; ++i) {
      threads.emplace_back([&, i] {
        client::ConnectOptions options;
        options.transport = i % 2 == 0 ? client::Transport::kDial : client::Transport::kSendRecv;
        absl::StatusOr<client::Stream> stream =
            client().Connect(kKernelAddress, kEchoPort, options);
        if (!stream.ok()) {
          connect_status[i] = stream.status();
          return;
        }
        results[i] = EchoThrough(*stream, /*seed=*/1000 + i, kLength);
      });
    }
    for (std::thread& t : threads) t.join();
    int good = 0;
    for (int i = 0; i < count; ++i) {
      SCOPED_TRACE(absl::StrCat("connection ", i));
      EXPECT_TRUE(connect_status[i].ok()) << connect_status[i];
      if (!connect_status[i].ok()) continue;
      const EchoResult& r = results[i];
      EXPECT_TRUE(r.write_status.ok()) << r.write_status;
      EXPECT_TRUE(r.read_status.ok()) << r.read_status;
      EXPECT_TRUE(r.close_status.ok()) << r.close_status;
      EXPECT_EQ(r.received, kLength);
      EXPECT_EQ(r.received_sha, Sha256::Of(PatternBytes(1000 + i, 0, kLength)));
      if (r.received_sha == r.sent_sha && r.received == kLength) ++good;
    }
    EXPECT_EQ(good, count);
  }
};

TEST_F(ConcurrentTest, TwoHundredConnectionsOf1MiB) {
  // One connection first, so the stack has resolved the peer's address (a link in use); the
  // cold-link burst is the test below.
  {
    absl::StatusOr<client::Stream> warm = client().Connect(kKernelAddress, kEchoPort);
    ASSERT_TRUE(warm.ok()) << warm.status();
    ASSERT_TRUE(warm->Close().ok());
  }
  EchoConcurrently(200);
}

// A burst of SYNs on a link whose ARP entry is not resolved yet overflows the IP layer's
// bounded resolution queue; those SYNs count as lost and go again after the initial RTO.
TEST_F(ConcurrentTest, TwoHundredConnectionsOnAColdLink) { EchoConcurrently(200); }

}  // namespace
}  // namespace tcpaas::e2e
