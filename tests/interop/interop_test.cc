// Issue 2, interop a-h: our stack on a TAP against the Linux kernel's TCP, in a network
// namespace made for each test (see interop_harness.h). Needs root and /dev/net/tun; skips
// with the reason otherwise.
#include <netinet/tcp.h>

#include <array>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "stack/host/host.h"
#include "stack/runtime/clock.h"
#include "tests/interop/bulk_transfer.h"
#include "tests/interop/interop_harness.h"
#include "tests/interop/kernel_ping.h"
#include "tests/interop/status_assertions.h"
#include "tests/support/blocking_tcp.h"
#include "tests/support/command.h"
#include "tests/support/kernel_socket.h"
#include "tests/support/netns.h"
#include "tests/support/pattern_stream.h"

ABSL_FLAG(int64_t, interop_bulk_mib, 64, "MiB moved in each direction by the bulk tests");
ABSL_FLAG(int64_t, interop_lossy_mib, 64,
          "MiB moved in each direction (by each sender) by the loss tests");

namespace tcpaas::interop {
namespace {

using test::BlockingConnection;
using test::ConnectionFacts;
using test::KernelSocket;
using test::PatternStream;

constexpr Duration kStep = Duration::Seconds(10);      // one handshake, line or close
constexpr Duration kProgress = Duration::Seconds(60);  // longest stall of a bulk transfer
constexpr size_t kChunk = 64 * 1024;

class InteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    if (!test::CanUseNetworkDevices(&reason)) GTEST_SKIP() << reason;
    auto harness = InteropHarness::Create(Options());
    ASSERT_TRUE(harness.ok()) << harness.status();
    harness_ = std::move(*harness);
  }
  // Here, while the test's result is known, the harness decides whether to keep the capture.
  void TearDown() override { harness_.reset(); }

  virtual InteropOptions Options() { return InteropOptions(); }

  InteropHarness& h() { return *harness_; }

  // Polls the TCP layer until `count` connections are in `state`.
  bool WaitForStateCount(tcp::TcpState state, size_t count, Duration timeout) {
    Instant deadline = runtime::MonotonicNow() + timeout;
    for (;;) {
      auto counts = h().stack().Call([](Host& host, Instant) { return host.tcp().StateCounts(); });
      if (counts[static_cast<size_t>(state)] == count) return true;
      if (runtime::MonotonicNow() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Our active open to a kernel listener on `port`: {our connection, the kernel's accepted
  // socket}.
  void OpenToKernel(Port port, std::unique_ptr<BlockingConnection>* conn, KernelSocket* peer) {
    auto listener = h().KernelListen(port);
    ASSERT_TRUE(listener.ok()) << listener.status();
    auto c = h().tcp().Connect(Endpoint{kKernelAddress, port});
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_OK((*c)->WaitEstablished(kStep));
    auto accepted = listener->Accept();
    ASSERT_TRUE(accepted.ok()) << accepted.status();
    *conn = std::move(*c);
    *peer = std::move(*accepted);
  }

  std::unique_ptr<InteropHarness> harness_;
};

void Report(std::string_view what, const std::string& line) {
  std::cout << "[ interop  ] " << what << ": " << line << std::endl;
  ::testing::Test::RecordProperty(std::string(what), line);
}

// a) Our active open to a kernel listener; one line each way; we close first.
TEST_F(InteropTest, ActiveOpenToKernelListener) {
  std::unique_ptr<BlockingConnection> conn;
  KernelSocket peer;
  ASSERT_NO_FATAL_FAILURE(OpenToKernel(Port(5001), &conn, &peer));

  // Both ends agree on what the handshake negotiated (Linux offers MSS, SACK, TS, WS).
  auto stats = conn->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  auto info = peer.TcpInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(stats->state, tcp::TcpState::kEstablished);
  EXPECT_TRUE(stats->sack_enabled);
  EXPECT_TRUE(stats->timestamps_enabled);
  EXPECT_TRUE(info->tcpi_options & TCPI_OPT_SACK);
  EXPECT_TRUE(info->tcpi_options & TCPI_OPT_TIMESTAMPS);
  EXPECT_TRUE(info->tcpi_options & TCPI_OPT_WSCALE);
  EXPECT_EQ(stats->snd_wscale, info->tcpi_rcv_wscale);
  EXPECT_EQ(stats->rcv_wscale, info->tcpi_snd_wscale);
  // We announce MSS 1460 for MTU 1500; the kernel's segments carry 12 bytes of timestamps.
  EXPECT_EQ(info->tcpi_snd_mss, 1448u);

  ASSERT_OK(conn->WriteAll("hello from tcpaas\n", kStep));
  auto line = peer.ReadLine();
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, "hello from tcpaas\n");
  ASSERT_OK(peer.WriteAll("hello from linux\n"));
  auto reply = conn->ReadLine(kStep);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, "hello from linux\n");

  // We close first: the kernel reads EOF, closes too, and our side ends in TIME-WAIT.
  ASSERT_OK(conn->Close());
  std::array<uint8_t, 16> buf;
  auto eof = peer.ReadSome(absl::MakeSpan(buf));
  ASSERT_TRUE(eof.ok()) << eof.status();
  EXPECT_EQ(*eof, 0u) << "kernel expected EOF";
  peer.Close();
  EXPECT_TRUE(WaitForStateCount(tcp::TcpState::kTimeWait, 1, kStep))
      << "our side did not reach TIME-WAIT; " << h().CountersSummary();
}

// b) A kernel client connects to our listener; one line each way; the kernel closes first.
TEST_F(InteropTest, KernelClientToOurListener) {
  auto listener = h().tcp().Listen(Port(7001));
  ASSERT_TRUE(listener.ok()) << listener.status();
  auto client = h().KernelConnect(Port(7001));
  ASSERT_TRUE(client.ok()) << client.status();
  auto conn = (*listener)->Accept(kStep);
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto info = client->TcpInfo();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_TRUE(info->tcpi_options & TCPI_OPT_SACK);
  EXPECT_TRUE(info->tcpi_options & TCPI_OPT_TIMESTAMPS);
  EXPECT_TRUE(info->tcpi_options & TCPI_OPT_WSCALE);

  ASSERT_OK(client->WriteAll("GET /hello\n"));
  auto line = (*conn)->ReadLine(kStep);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, "GET /hello\n");
  ASSERT_OK((*conn)->WriteAll("200 hello from tcpaas\n", kStep));
  auto reply = client->ReadLine();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, "200 hello from tcpaas\n");

  // The kernel closes first: we read EOF (CLOSE-WAIT), send our FIN (LAST-ACK), and the
  // kernel's ACK of it ends the connection normally.
  client->Close();
  std::array<uint8_t, 16> buf;
  auto eof = (*conn)->Read(absl::MakeSpan(buf), kStep);
  ASSERT_TRUE(eof.ok()) << eof.status();
  EXPECT_EQ(*eof, 0u) << "expected EOF after the kernel's FIN";
  ASSERT_OK((*conn)->ShutdownWrite());
  ASSERT_OK((*conn)->WaitClosed(kStep));
  ConnectionFacts facts = (*conn)->Facts();
  EXPECT_EQ(facts.close_reason, CloseReason::kNormal) << CloseReasonName(facts.close_reason);
  EXPECT_TRUE(facts.fin_acked);
  ASSERT_OK((*conn)->Close());
}

// Moves `bytes` each way at once over an established connection, then both ends shut down
// their write side; checks that each receiver got exactly what the other end sent.
void BidirectionalBulk(InteropHarness& h, BlockingConnection& conn, KernelSocket& peer,
                       uint64_t bytes, const std::string& label) {
  constexpr uint64_t kKernelToStackSeed = 0x6b65726e656c;  // "kernel"
  constexpr uint64_t kStackToKernelSeed = 0x7463706161;    // "tcpaa"
  TransferResult kernel_sent, kernel_received, stack_sent, stack_received;
  Instant start = runtime::MonotonicNow();
  std::thread kernel_writer([&] {
    kernel_sent = SendPattern(kKernelToStackSeed, bytes, kChunk,
                              [&](absl::Span<const uint8_t> d) { return peer.WriteAll(d); });
    if (kernel_sent.status.ok()) kernel_sent.status = peer.ShutdownWrite();
  });
  std::thread kernel_reader([&] {
    kernel_received = ReceivePattern(kStackToKernelSeed, kChunk,
                                     [&](absl::Span<uint8_t> out) { return peer.ReadSome(out); });
  });
  std::thread stack_writer([&] {
    stack_sent = SendPattern(kStackToKernelSeed, bytes, kChunk, [&](absl::Span<const uint8_t> d) {
      return conn.WriteAll(d, kProgress);
    });
    if (stack_sent.status.ok()) stack_sent.status = conn.ShutdownWrite();
  });
  stack_received = ReceivePattern(kKernelToStackSeed, kChunk, [&](absl::Span<uint8_t> out) {
    return conn.Read(out, kProgress);
  });
  stack_writer.join();
  kernel_reader.join();
  kernel_writer.join();
  Duration elapsed = runtime::MonotonicNow() - start;

  EXPECT_OK(kernel_sent.status);
  EXPECT_OK(kernel_received.status);
  EXPECT_OK(stack_sent.status);
  EXPECT_OK(stack_received.status);
  EXPECT_EQ(kernel_sent.bytes, bytes);
  EXPECT_EQ(stack_sent.bytes, bytes);
  EXPECT_EQ(stack_received.bytes, kernel_sent.bytes) << "kernel -> stack";
  EXPECT_EQ(kernel_received.bytes, stack_sent.bytes) << "stack -> kernel";
  EXPECT_EQ(stack_received.sha256, kernel_sent.sha256) << "kernel -> stack";
  EXPECT_EQ(kernel_received.sha256, stack_sent.sha256) << "stack -> kernel";
  EXPECT_FALSE(stack_received.first_mismatch.has_value())
      << "kernel -> stack: first wrong byte at offset " << *stack_received.first_mismatch;
  EXPECT_FALSE(kernel_received.first_mismatch.has_value())
      << "stack -> kernel: first wrong byte at offset " << *kernel_received.first_mismatch;

  Report(absl::StrCat(label, "_kernel_to_stack"), stack_received.Summary());
  Report(absl::StrCat(label, "_stack_to_kernel"), kernel_received.Summary());
  Report(absl::StrCat(label, "_seconds"), absl::StrFormat("%.2f", elapsed.seconds()));
  Report(absl::StrCat(label, "_sha256"), absl::StrCat("kernel->stack ", stack_received.sha256,
                                                      " stack->kernel ", kernel_received.sha256));
  Report(absl::StrCat(label, "_stack_stats"), conn.StatsString());
  Report(absl::StrCat(label, "_kernel_stats"), peer.InfoString());
  Report(absl::StrCat(label, "_counters"), h.CountersSummary());

  // Both FINs are out: the connection ends normally (TIME-WAIT or CLOSED on our side).
  EXPECT_OK(conn.WaitClosed(kProgress));
  EXPECT_EQ(conn.Facts().close_reason, CloseReason::kNormal)
      << CloseReasonName(conn.Facts().close_reason);
}

class InteropBulkTest : public InteropTest {
 protected:
  InteropOptions Options() override {
    InteropOptions options;
    options.pcap_snaplen = 128;  // headers only: the payload is checked by hash
    return options;
  }
};

// c) 64 MiB each way, both directions at once, SHA-256 equal on both ends.
TEST_F(InteropBulkTest, BothDirectionsAtOnce) {
  std::unique_ptr<BlockingConnection> conn;
  KernelSocket peer;
  ASSERT_NO_FATAL_FAILURE(OpenToKernel(Port(5002), &conn, &peer));
  BidirectionalBulk(h(), *conn, peer, uint64_t(absl::GetFlag(FLAGS_interop_bulk_mib)) << 20,
                    "bulk");
}

// d) The same under 1% and 5% random loss of TCP packets in both directions (nftables).
class InteropLossTest : public InteropBulkTest, public ::testing::WithParamInterface<int> {};

TEST_P(InteropLossTest, BothDirectionsAtOnce) {
  const int per_mille = GetParam();
  std::unique_ptr<BlockingConnection> conn;
  KernelSocket peer;
  ASSERT_NO_FATAL_FAILURE(OpenToKernel(Port(5003), &conn, &peer));
  // Loss starts after the handshake, so the run measures recovery of data, not SYN timeouts.
  ASSERT_OK(h().SetTcpLoss(per_mille));
  std::string label = absl::StrFormat("loss_%.1fpct", per_mille / 10.0);
  BidirectionalBulk(h(), *conn, peer, uint64_t(absl::GetFlag(FLAGS_interop_lossy_mib)) << 20,
                    label);
  auto drops = h().LossDrops();
  ASSERT_TRUE(drops.ok()) << drops.status();
  Report(absl::StrCat(label, "_nft_drops"),
         absl::StrFormat("to kernel %u, to stack %u", drops->first, drops->second));
  EXPECT_GT(drops->first, 0u) << "the loss rules dropped nothing towards the kernel";
  EXPECT_GT(drops->second, 0u) << "the loss rules dropped nothing towards our stack";
}

INSTANTIATE_TEST_SUITE_P(Loss, InteropLossTest, ::testing::Values(10, 50),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == 10 ? std::string("OnePercent")
                                                   : std::string("FivePercent");
                         });

// e) Half-close, our side first: we send a request and shut down writing; the kernel reads
// it to EOF and still sends its whole answer, which we read before its FIN.
TEST_F(InteropTest, HalfCloseOurWriteSideFirst) {
  std::unique_ptr<BlockingConnection> conn;
  KernelSocket peer;
  ASSERT_NO_FATAL_FAILURE(OpenToKernel(Port(5004), &conn, &peer));
  constexpr uint64_t kRequestBytes = 100 * 1024;
  constexpr uint64_t kAnswerBytes = 4 << 20;

  TransferResult request_sent =
      SendPattern(1, kRequestBytes, kChunk, [&](auto d) { return conn->WriteAll(d, kStep); });
  ASSERT_OK(request_sent.status);
  ASSERT_OK(conn->ShutdownWrite());
  TransferResult request_received =
      ReceivePattern(1, kChunk, [&](absl::Span<uint8_t> out) { return peer.ReadSome(out); });
  ASSERT_OK(request_received.status);
  EXPECT_EQ(request_received.bytes, kRequestBytes);
  EXPECT_EQ(request_received.sha256, request_sent.sha256);
  ASSERT_OK(conn->WaitFinAcked(kStep));

  // Our write side is shut; reading goes on (FIN-WAIT-2).
  TransferResult answer_sent;
  std::thread kernel_writer([&] {
    answer_sent = SendPattern(2, kAnswerBytes, kChunk, [&](auto d) { return peer.WriteAll(d); });
    peer.Close();
  });
  TransferResult answer_received =
      ReceivePattern(2, kChunk, [&](absl::Span<uint8_t> out) { return conn->Read(out, kStep); });
  kernel_writer.join();
  ASSERT_OK(answer_sent.status);
  ASSERT_OK(answer_received.status);
  EXPECT_EQ(answer_received.bytes, kAnswerBytes);
  EXPECT_EQ(answer_received.sha256, answer_sent.sha256);
  EXPECT_FALSE(answer_received.first_mismatch.has_value());

  ASSERT_OK(conn->WaitClosed(kStep));
  EXPECT_EQ(conn->Facts().close_reason, CloseReason::kNormal);
  auto stats = conn->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->state, tcp::TcpState::kTimeWait);  // we sent the first FIN
}

// e) Half-close, the kernel first: a kernel client sends its request and shuts down writing;
// we read to EOF and then send our whole answer, which the kernel reads before our FIN.
TEST_F(InteropTest, HalfCloseKernelWriteSideFirst) {
  auto listener = h().tcp().Listen(Port(7002));
  ASSERT_TRUE(listener.ok()) << listener.status();
  auto client = h().KernelConnect(Port(7002));
  ASSERT_TRUE(client.ok()) << client.status();
  auto conn = (*listener)->Accept(kStep);
  ASSERT_TRUE(conn.ok()) << conn.status();
  constexpr uint64_t kRequestBytes = 100 * 1024;
  constexpr uint64_t kAnswerBytes = 4 << 20;

  TransferResult request_sent =
      SendPattern(3, kRequestBytes, kChunk, [&](auto d) { return client->WriteAll(d); });
  ASSERT_OK(request_sent.status);
  ASSERT_OK(client->ShutdownWrite());
  TransferResult request_received =
      ReceivePattern(3, kChunk, [&](absl::Span<uint8_t> out) { return (*conn)->Read(out, kStep); });
  ASSERT_OK(request_received.status);
  EXPECT_EQ(request_received.bytes, kRequestBytes);
  EXPECT_EQ(request_received.sha256, request_sent.sha256);
  EXPECT_TRUE((*conn)->Facts().peer_fin);

  // The kernel's write side is shut; ours stays open (CLOSE-WAIT).
  TransferResult answer_received;
  std::thread kernel_reader([&] {
    answer_received =
        ReceivePattern(4, kChunk, [&](absl::Span<uint8_t> out) { return client->ReadSome(out); });
  });
  TransferResult answer_sent =
      SendPattern(4, kAnswerBytes, kChunk, [&](auto d) { return (*conn)->WriteAll(d, kStep); });
  EXPECT_OK(answer_sent.status);
  EXPECT_OK((*conn)->ShutdownWrite());
  kernel_reader.join();  // ends at our FIN
  ASSERT_OK(answer_received.status);
  EXPECT_EQ(answer_received.bytes, kAnswerBytes);
  EXPECT_EQ(answer_received.sha256, answer_sent.sha256);
  EXPECT_FALSE(answer_received.first_mismatch.has_value());

  ASSERT_OK((*conn)->WaitClosed(kStep));
  ConnectionFacts facts = (*conn)->Facts();
  EXPECT_EQ(facts.close_reason, CloseReason::kNormal) << CloseReasonName(facts.close_reason);
  EXPECT_TRUE(facts.fin_acked);
  EXPECT_EQ(facts.bytes_acked, kAnswerBytes);
  client->Close();
}

// f) Connecting to a kernel port nobody listens on: the kernel answers RST, we report kRefused.
TEST_F(InteropTest, ConnectToClosedKernelPortIsRefused) {
  auto conn = h().tcp().Connect(Endpoint{kKernelAddress, Port(9)});
  ASSERT_TRUE(conn.ok()) << conn.status();
  absl::Status established = (*conn)->WaitEstablished(kStep);
  EXPECT_EQ(established.code(), absl::StatusCode::kUnavailable) << established;
  ConnectionFacts facts = (*conn)->Facts();
  EXPECT_TRUE(facts.closed);
  EXPECT_EQ(facts.close_reason, CloseReason::kRefused) << CloseReasonName(facts.close_reason);
  EXPECT_EQ(facts.bytes_acked, 0u);
}

// g) The kernel resets the connection (SO_LINGER {1, 0}, close) while we are sending: we
// report kReset, and the bytes the peer acknowledged lie between what the kernel application
// read and what we wrote.
TEST_F(InteropTest, KernelResetMidTransfer) {
  std::unique_ptr<BlockingConnection> conn;
  KernelSocket peer;
  ASSERT_NO_FATAL_FAILURE(OpenToKernel(Port(5005), &conn, &peer));
  constexpr uint64_t kKernelReads = 1 << 20;
  constexpr uint64_t kWouldWrite = uint64_t{1} << 30;  // far more than the buffers hold

  size_t written = 0;
  absl::Status write_status;
  std::thread stack_writer([&] {
    PatternStream pattern(5);
    std::vector<uint8_t> buf(kChunk);
    while (written < kWouldWrite) {
      pattern.Fill(absl::MakeSpan(buf));
      size_t n = 0;
      write_status = conn->WriteAll(buf, kStep, &n);
      written += n;
      if (!write_status.ok()) break;
    }
  });

  // No ASSERT until the writer is joined: a joinable thread must not be destroyed.
  uint64_t read = 0;
  absl::Status read_status;
  std::vector<uint8_t> buf(kChunk);
  while (read < kKernelReads && read_status.ok()) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), kKernelReads - read));
    auto n = peer.ReadSome(absl::MakeSpan(buf.data(), want));
    if (!n.ok()) {
      read_status = n.status();
    } else if (*n == 0) {
      read_status = absl::DataLossError("unexpected EOF");
    } else {
      read += *n;
    }
  }
  // Let our stack fill the kernel's receive buffer and its own send buffer, so that the RST
  // meets data acknowledged but unread and data written but unacknowledged.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  absl::Status linger_status = peer.SetAbortOnClose();
  peer.Close();  // RST (or FIN if SO_LINGER failed; the checks below then fail)
  stack_writer.join();
  ASSERT_OK(read_status);
  ASSERT_OK(linger_status);

  EXPECT_FALSE(write_status.ok()) << "our writes kept succeeding after the kernel's RST";
  ASSERT_OK(conn->WaitClosed(kStep));
  ConnectionFacts facts = conn->Facts();
  EXPECT_EQ(facts.close_reason, CloseReason::kReset) << CloseReasonName(facts.close_reason);
  EXPECT_GE(facts.bytes_acked, read);
  EXPECT_LE(facts.bytes_acked, written);
  std::array<uint8_t, 16> small;
  auto after = conn->Read(absl::MakeSpan(small), kStep);
  EXPECT_EQ(after.status().code(), absl::StatusCode::kAborted) << after.status();
  Report("reset", absl::StrFormat("kernel read %u, peer acked %u, we wrote %u", read,
                                  facts.bytes_acked, written));
}

// h) The kernel pings our stack's address and gets every reply.
TEST_F(InteropTest, KernelPingsStack) {
  const std::string target = kStackAddress.ToString();
  if (test::HaveProgram("ping")) {
    test::CommandResult r = h().RunInNetns({"ping", "-c", "3", "-W", "1", target});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("3 packets transmitted, 3 received"), std::string::npos) << r.output;
  } else {
    // iputils-ping is not installed: the same echo requests from a raw socket.
    auto replies = KernelPing(h().netns(), kStackAddress, 3, Duration::Seconds(1));
    ASSERT_TRUE(replies.ok()) << replies.status();
    EXPECT_EQ(*replies, 3);
  }
  StackCounters counters = h().stack().CountersSnapshot();
  EXPECT_EQ(counters.icmp_echo_replies_tx, 3u);
}

}  // namespace
}  // namespace tcpaas::interop
