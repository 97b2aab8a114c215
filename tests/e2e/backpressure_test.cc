// Backpressure crosses the API (DESIGN.md "The service"): a peer that never reads stops the
// client's Send, and a client that never reads its Recv closes the TCP window to the peer.
// Either way tcpaasd's memory stays bounded while 256 MiB wait to move.
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "clients/cpp/client.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/kernel_socket.h"
#include "tests/e2e/rpc_helpers.h"

namespace tcpaas::e2e {
namespace {

constexpr uint64_t kTotal = 256ull << 20;
constexpr uint64_t kRssBound = 64ull << 20;
constexpr size_t kChunk = 256 * 1024;

// Samples a byte counter until it has not moved for `quiet` (stalled: true) or `limit`
// passes; records tcpaasd's largest RSS on the way.
struct StallWatch {
  bool stalled = false;
  uint64_t progress = 0;
  uint64_t max_rss = 0;
};

StallWatch WatchUntilStalled(const std::atomic<uint64_t>& counter, const Tcpaasd& daemon,
                             std::chrono::seconds quiet = std::chrono::seconds(3),
                             std::chrono::seconds limit = std::chrono::seconds(60)) {
  StallWatch w;
  const auto end = std::chrono::steady_clock::now() + limit;
  auto last_move = std::chrono::steady_clock::now();
  uint64_t last = counter.load();
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (absl::StatusOr<uint64_t> rss = daemon.RssBytes(); rss.ok()) {
      w.max_rss = std::max(w.max_rss, *rss);
    }
    const uint64_t now_value = counter.load();
    if (now_value != last) {
      last = now_value;
      last_move = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_move >= quiet) {
      w.stalled = true;
      break;
    }
    if (now_value >= kTotal) break;
  }
  w.progress = counter.load();
  return w;
}

class BackpressureTest : public E2eTest {};

TEST_F(BackpressureTest, PeerThatNeverReadsBlocksSendAndBoundsMemory) {
  constexpr uint16_t kPort = 9500;
  absl::StatusOr<Fd> listener =
      ListenIn(daemon().sandbox(), kKernelAddress, kPort, /*rcvbuf=*/64 * 1024);
  ASSERT_TRUE(listener.ok()) << listener.status();
  client::ConnectOptions options;
  options.transport = client::Transport::kSendRecv;
  absl::StatusOr<client::Stream> stream = client().Connect(kKernelAddress, kPort, options);
  ASSERT_TRUE(stream.ok()) << stream.status();
  absl::StatusOr<Fd> peer = AcceptWithin(listener->get(), absl::Seconds(10));  // never read
  ASSERT_TRUE(peer.ok()) << peer.status();

  absl::StatusOr<uint64_t> rss_before = daemon().RssBytes();
  ASSERT_TRUE(rss_before.ok()) << rss_before.status();
  std::atomic<uint64_t> written{0};
  absl::Status write_status;
  std::thread writer([&] {
    const std::string chunk(kChunk, 'b');
    while (written.load() < kTotal) {
      write_status = stream->Write(chunk);
      if (!write_status.ok()) return;
      written += chunk.size();
    }
  });
  const StallWatch w = WatchUntilStalled(written, daemon());
  EXPECT_TRUE(w.stalled) << "Send never blocked; " << w.progress << " bytes written";
  EXPECT_LT(w.progress, kTotal / 4) << "far more accepted than the buffers on the way hold";
  EXPECT_LT(w.max_rss - *rss_before, kRssBound)
      << "RSS grew from " << *rss_before << " to " << w.max_rss;

  // The stack's view: the peer's window is closed and our send buffer is full. As below,
  // a window left below one MSS closes only after our persist probe fills it.
  absl::StatusOr<v1::Connection> stats = stream->Stats();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (stats.ok() && stats->stats().snd_wnd_bytes() != 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stats = stream->Stats();
  }
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->stats().snd_wnd_bytes(), 0u) << "the peer's window never closed in 15 s";
  EXPECT_GT(stats->stats().send_buffer_used(), 0u);

  stream->Abort();  // unblocks the writer
  writer.join();
  EXPECT_FALSE(write_status.ok());
}

TEST_F(BackpressureTest, ClientThatNeverReadsRecvClosesTheWindowAndBoundsMemory) {
  constexpr uint16_t kPort = 9501;
  absl::StatusOr<Fd> listener = ListenIn(daemon().sandbox(), kKernelAddress, kPort);
  ASSERT_TRUE(listener.ok()) << listener.status();
  const v1::Connection c = MustConnect(kKernelAddress, kPort);
  absl::StatusOr<Fd> accepted = AcceptWithin(listener->get(), absl::Seconds(10));
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  Fd peer = *std::move(accepted);
  SetTimeouts(peer.get(), absl::Milliseconds(500));

  // A Recv call the client never reads from.
  grpc::ClientContext recv_context;
  recv_context.set_deadline(In(std::chrono::seconds(120)));
  v1::RecvRequest request;
  request.set_connection_id(c.id());
  auto recv = stub().Recv(&recv_context, request);

  absl::StatusOr<uint64_t> rss_before = daemon().RssBytes();
  ASSERT_TRUE(rss_before.ok()) << rss_before.status();
  std::atomic<uint64_t> sent{0};
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    const std::string chunk(64 * 1024, 'r');
    while (!stop.load() && sent.load() < kTotal) {
      const ssize_t n = send(peer.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<uint64_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return;
      }
    }
  });
  const StallWatch w = WatchUntilStalled(sent, daemon());
  EXPECT_TRUE(w.stalled) << "the peer never stalled; it sent " << w.progress << " bytes";
  EXPECT_LT(w.progress, kTotal / 4);
  EXPECT_LT(w.max_rss - *rss_before, kRssBound)
      << "RSS grew from " << *rss_before << " to " << w.max_rss;

  // The stack advertises a zero window: its receive buffer is full. The peer's send()
  // stalls when its socket buffer fills, which can be before the wire does: a window
  // left below one MSS is filled only by Linux's persist probe (tcp_write_wakeup), an RTO
  // or more later. So the window must reach zero soon, not at this very instant.
  v1::Connection stats;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  do {
    const grpc::Status got = GetConnectionCall(stub(), c.id(), &stats);
    ASSERT_TRUE(got.ok()) << Describe(got);
    if (stats.stats().rcv_wnd_bytes() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(stats.stats().rcv_wnd_bytes(), 0u) << "the window never closed in 15 s";
  EXPECT_GT(stats.stats().recv_buffer_used(), 0u);

  stop = true;
  sender.join();
  recv_context.TryCancel();
  v1::RecvResponse ignored;
  while (recv->Read(&ignored)) {
  }
  recv->Finish();
  CloseCall(stub(), c.id(), /*abort=*/true);
}

}  // namespace
}  // namespace tcpaas::e2e
