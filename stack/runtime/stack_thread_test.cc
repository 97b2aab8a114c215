#include "stack/runtime/stack_thread.h"

#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "stack/host/fake_device.h"
#include "stack/link/pcap_writer.h"
#include "stack/link/socket_pair.h"
#include "stack/runtime/tcp_test_app.h"

namespace tcpaas::runtime {
namespace {

constexpr MacAddress kMacA({0x02, 0, 0, 0, 0, 0x01});
constexpr MacAddress kMacB({0x02, 0, 0, 0, 0, 0x02});
constexpr Ipv4Address kIpA = Ipv4Address::FromOctets(198, 18, 0, 1);
constexpr Ipv4Address kIpB = Ipv4Address::FromOctets(198, 18, 0, 2);
constexpr Port kPort(5001);
// Real-time tests: generous, so a loaded 2-core CI machine does not flake.
constexpr absl::Duration kTimeout = absl::Seconds(60);

HostConfig StackConfig(Ipv4Address ip) {
  HostConfig config;
  config.interface.address = Ipv4Cidr{ip, 24};  // MAC: taken from the device
  config.tcp.time_wait = Duration::Millis(200);
  return config;
}

std::string Describe(const std::vector<ConnReport>& reports) {
  std::string out;
  for (const ConnReport& r : reports) {
    absl::StrAppend(&out, "\n  conn ", r.id.index, ": established=", r.established,
                    " sent=", r.sent, " received=", r.received, " eof=", r.eof,
                    " fin_acked=", r.fin_acked, " released=", r.released, " closed=", r.closed,
                    " reason=", std::string(CloseReasonName(r.reason)), " error='", r.error, "'");
  }
  return out;
}

bool AllDone(const std::vector<ConnReport>& reports, size_t n) {
  if (reports.size() < n) return false;
  for (const ConnReport& r : reports) {
    if (!r.done()) return false;
  }
  return true;
}

std::string ArtifactsDir() {
  const char* dir = std::getenv("TCPAAS_ARTIFACTS_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp/tcpaas-artifacts";
}

// Two stacks joined by a socket-pair link (no root needed): A at .1, B at .2, each with a
// TcpTestApp as its event handler. A's device records both directions into a pcap that is
// kept (and its path printed) only when the test fails.
class TwoStacks {
 public:
  TwoStacks(const TcpTestApp::Options& app_a, const TcpTestApp::Options& app_b,
            const StackThreadOptions& options = {})
      : app_a_(app_a), app_b_(app_b) {
    auto link = link::CreateSocketPairLink(1500, kMacA, kMacB);
    if (!link.ok()) {
      setup_error_ = link.status();
      return;
    }
    std::unique_ptr<link::Device> dev_a = std::move(link->first);
    mkdir(ArtifactsDir().c_str(), 0755);
    const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
    // The pid keeps unit_runtime and unit_runtime_asan apart when ctest runs both at once.
    pcap_path_ = absl::StrCat(ArtifactsDir(), "/runtime_", test->name(), "_", getpid(), ".pcap");
    absl::StatusOr<std::unique_ptr<link::PcapWriter>> recorded =
        link::PcapWriter::Create(std::move(dev_a), pcap_path_, /*max_bytes=*/64 << 20);
    if (!recorded.ok()) {
      setup_error_ = recorded.status();
      return;
    }
    a_ = std::make_unique<StackThread>(StackConfig(kIpA), std::move(*recorded), options);
    b_ = std::make_unique<StackThread>(StackConfig(kIpB), std::move(link->second), options);
    app_a_.Attach(*a_);
    app_b_.Attach(*b_);
  }

  ~TwoStacks() {
    b_.reset();
    a_.reset();  // closes the pcap
    if (pcap_path_.empty()) return;
    if (testing::Test::HasFailure()) {
      std::cout << "pcap of the failing run (A's side of the link): " << pcap_path_ << "\n";
    } else {
      std::remove(pcap_path_.c_str());
    }
  }

  absl::Status Start() {
    if (!setup_error_.ok()) return setup_error_;
    if (absl::Status s = a_->Start(); !s.ok()) return s;
    return b_->Start();
  }

  StackThread& a() { return *a_; }
  StackThread& b() { return *b_; }
  TcpTestApp& app_a() { return app_a_; }
  TcpTestApp& app_b() { return app_b_; }

 private:
  absl::Status setup_error_;
  std::string pcap_path_;
  TcpTestApp app_a_, app_b_;  // outlive the threads (declared first, destroyed last)
  std::unique_ptr<StackThread> a_, b_;
};

TEST(StackThreadTest, TwoStacksMoveEightMiBBothWaysAndCloseCleanly) {
  constexpr uint64_t kBytes = 8 << 20;
  TwoStacks net({.send_bytes = kBytes, .seed = 100}, {.send_bytes = kBytes, .seed = 200});
  ASSERT_TRUE(net.Start().ok());
  ASSERT_TRUE(net.app_a().Listen(net.a(), kPort).ok());
  const absl::Time start = absl::Now();
  absl::StatusOr<tcp::ConnId> conn = net.app_b().Connect(net.b(), Endpoint{kIpA, kPort});
  ASSERT_TRUE(conn.ok()) << conn.status();

  auto one_done = [](const std::vector<ConnReport>& r) { return AllDone(r, 1); };
  ASSERT_TRUE(net.app_b().WaitFor(one_done, kTimeout))
      << "client side did not finish:" << Describe(net.app_b().Reports())
      << "\nserver side:" << Describe(net.app_a().Reports());
  ASSERT_TRUE(net.app_a().WaitFor(one_done, kTimeout))
      << "server side did not finish:" << Describe(net.app_a().Reports());
  const absl::Duration took = absl::Now() - start;

  const ConnReport server = net.app_a().Reports()[0];
  const ConnReport client = net.app_b().Reports()[0];
  EXPECT_TRUE(server.released && client.released)
      << "a connection ended abnormally:" << Describe({server, client});
  EXPECT_EQ(server.received, kBytes);
  EXPECT_EQ(client.received, kBytes);
  EXPECT_EQ(server.received_hash, client.sent_hash) << "client -> server bytes differ";
  EXPECT_EQ(client.received_hash, server.sent_hash) << "server -> client bytes differ";
  std::cout << "8 MiB each way in " << absl::FormatDuration(took) << " ("
            << 2 * 8 * 8 / absl::ToDoubleSeconds(took) << " Mbit/s total)\n";

  // After TIME_WAIT (200 ms here) neither stack holds a connection, and nobody sent a RST.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  size_t left_a = 1, left_b = 1;
  while ((left_a != 0 || left_b != 0) && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
    left_a = net.a().Call([](Host& h, Instant) { return h.tcp().connection_count(); });
    left_b = net.b().Call([](Host& h, Instant) { return h.tcp().connection_count(); });
  }
  EXPECT_EQ(left_a, 0u);
  EXPECT_EQ(left_b, 0u);
  const StackCounters ca = net.a().CountersSnapshot();
  const StackCounters cb = net.b().CountersSnapshot();
  EXPECT_EQ(ca.tcp_resets_tx + cb.tcp_resets_tx, 0u);
  EXPECT_GT(ca.link_frames_rx, kBytes / 1500);
  EXPECT_EQ(ca.link_frames_tx, cb.link_frames_rx) << "the socket pair lost frames?";
  EXPECT_TRUE(net.a().status().ok()) << net.a().status();
  EXPECT_TRUE(net.b().status().ok()) << net.b().status();
}

TEST(StackThreadTest, PostAndCallFromManyThreads) {
  auto link = link::CreateSocketPairLink(1500, kMacA, kMacB);
  ASSERT_TRUE(link.ok()) << link.status();
  StackThread thread(StackConfig(kIpA), std::move(link->first));
  ASSERT_TRUE(thread.Start().ok());

  constexpr int kThreads = 6;
  constexpr int kEach = 2000;
  // Touched only on the stack thread, so plain integers: ASan/TSan-style races would show.
  std::vector<int> last_seen(kThreads, -1);
  int64_t total = 0;
  std::atomic<int> off_thread{0};
  std::atomic<int> out_of_order{0};
  std::vector<std::thread> callers;
  callers.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto record = [&, t, i](Host&, Instant) {
          if (!thread.OnStackThread()) ++off_thread;
          if (last_seen[t] != i - 1) ++out_of_order;
          last_seen[t] = i;
          ++total;
        };
        if (i % 2 == 0) {
          ASSERT_TRUE(thread.Post(record).ok());
        } else {
          EXPECT_EQ(thread.Call([&](Host& h, Instant now) {
            record(h, now);
            return i;
          }),
                    i);
        }
      }
    });
  }
  for (std::thread& c : callers) c.join();
  const int64_t seen = thread.Call([&](Host&, Instant) { return total; });
  EXPECT_EQ(seen, int64_t{kThreads} * kEach);
  EXPECT_EQ(off_thread.load(), 0) << "a command ran off the stack thread";
  EXPECT_EQ(out_of_order.load(), 0) << "one caller's commands ran out of order";
  EXPECT_FALSE(thread.OnStackThread());
  EXPECT_TRUE(thread.Call([&](Host&, Instant) { return thread.OnStackThread(); }));
  // Call from the stack thread runs inline instead of deadlocking.
  EXPECT_EQ(
      thread.Call([&](Host&, Instant) { return thread.Call([](Host&, Instant) { return 42; }); }),
      42);
}

TEST(StackThreadTest, StackTimeNeverRunsBackwards) {
  auto link = link::CreateSocketPairLink(1500, kMacA, kMacB);
  ASSERT_TRUE(link.ok()) << link.status();
  StackThread thread(StackConfig(kIpA), std::move(link->first));
  ASSERT_TRUE(thread.Start().ok());
  // Every time the stack is handed, in the order the stack thread sees them: command
  // arguments, the time inline Calls get, and now().
  std::vector<Instant> seen;  // stack thread only
  int mismatches = 0;
  std::vector<std::thread> posters;
  posters.reserve(4);
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        ASSERT_TRUE(thread
                        .Post([&](Host&, Instant now) {
                          seen.push_back(now);
                          // Inline on the stack thread: same wakeup, same time.
                          const Instant inner = thread.Call([](Host&, Instant t) { return t; });
                          if (inner != now || thread.now() != now) ++mismatches;
                          seen.push_back(inner);
                        })
                        .ok());
      }
    });
  }
  for (std::thread& p : posters) p.join();
  thread.Stop();
  // After the loop: Call runs on this thread and must not go back either.
  seen.push_back(thread.Call([](Host&, Instant now) { return now; }));
  ASSERT_EQ(seen.size(), 4u * 500 * 2 + 1);
  EXPECT_EQ(mismatches, 0) << "an inline Call or now() saw another time than its command";
  for (size_t i = 1; i < seen.size(); ++i) {
    ASSERT_GE(seen[i], seen[i - 1]) << "time went backwards at observation " << i;
  }
}

TEST(StackThreadTest, CommandQueueIsBounded) {
  auto link = link::CreateSocketPairLink(1500, kMacA, kMacB);
  ASSERT_TRUE(link.ok()) << link.status();
  StackThread thread(StackConfig(kIpA), std::move(link->first), {.command_queue_limit = 8});
  ASSERT_TRUE(thread.Start().ok());

  absl::Notification blocked, release;
  ASSERT_TRUE(thread
                  .Post([&](Host&, Instant) {
                    blocked.Notify();
                    release.WaitForNotificationWithTimeout(absl::Seconds(30));
                  })
                  .ok());
  ASSERT_TRUE(blocked.WaitForNotificationWithTimeout(kTimeout));
  // The loop is busy: eight commands fit, the ninth does not.
  std::atomic<int> ran{0};
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(thread.Post([&](Host&, Instant) { ++ran; }).ok()) << "post " << i;
  }
  absl::Status full = thread.Post([&](Host&, Instant) { ++ran; });
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  release.Notify();
  EXPECT_EQ(thread.Call([&](Host&, Instant) { return ran.load(); }), 8);
  EXPECT_TRUE(thread.Post([](Host&, Instant) {}).ok()) << "room again once the loop ran";
}

TEST(StackThreadTest, PostFailsAndCallRunsInlineWhenNotRunning) {
  auto link = link::CreateSocketPairLink(1500, kMacA, kMacB);
  ASSERT_TRUE(link.ok()) << link.status();
  StackThread thread(StackConfig(kIpA), std::move(link->first));
  EXPECT_FALSE(thread.running());
  EXPECT_EQ(thread.Post([](Host&, Instant) {}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(thread.Call([&](Host&, Instant) { return thread.OnStackThread(); }));
  // Before Start(): the MAC came from the device.
  EXPECT_EQ(thread.config().interface.mac, kMacA);

  ASSERT_TRUE(thread.Start().ok());
  EXPECT_TRUE(thread.running());
  EXPECT_EQ(thread.Start().code(), absl::StatusCode::kFailedPrecondition);
  thread.Stop();
  thread.Stop();  // idempotent
  EXPECT_FALSE(thread.running());
  absl::Status refused = thread.Post([](Host&, Instant) {});
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_NE(refused.message().find("stopped"), absl::string_view::npos) << refused;
  // After Stop() the Host can still be read.
  EXPECT_GE(thread.CountersSnapshot().arp_requests_tx, 1u) << "gratuitous ARP at start";
  EXPECT_TRUE(thread.status().ok()) << thread.status();
}

TEST(StackThreadTest, StopAbortsOpenConnectionsAndThePeerSeesResets) {
  constexpr int kConns = 3;
  // The client streams far more than it will get to send: connections are mid-transfer.
  TwoStacks net({.send_bytes = 0}, {.send_bytes = uint64_t{1} << 40});
  ASSERT_TRUE(net.Start().ok());
  ASSERT_TRUE(net.app_a().Listen(net.a(), kPort).ok());
  for (int i = 0; i < kConns; ++i) {
    ASSERT_TRUE(net.app_b().Connect(net.b(), Endpoint{kIpA, kPort}).ok());
  }
  ASSERT_TRUE(net.app_a().WaitFor(
      [](const std::vector<ConnReport>& r) {
        if (r.size() < kConns) return false;
        for (const ConnReport& c : r) {
          if (c.received < 256 * 1024) return false;
        }
        return true;
      },
      kTimeout))
      << "transfers did not get going:" << Describe(net.app_a().Reports());

  const absl::Time before = absl::Now();
  net.a().Stop();
  EXPECT_LT(absl::Now() - before, absl::Seconds(5)) << "Stop() took too long";
  EXPECT_FALSE(net.a().running());

  // A's application heard about every connection ending, on the stack thread, at shutdown.
  int shutdown_closes = 0;
  for (const tcp::TcpEvent& e : net.app_a().Events()) {
    if (e.type == tcp::TcpEventType::kClosed) {
      EXPECT_EQ(e.reason, CloseReason::kStackShutdown) << CloseReasonName(e.reason);
      ++shutdown_closes;
    }
  }
  EXPECT_EQ(shutdown_closes, kConns);
  // B's connections are reset by A's RSTs.
  ASSERT_TRUE(net.app_b().WaitFor(
      [](const std::vector<ConnReport>& r) { return AllDone(r, kConns); }, kTimeout))
      << Describe(net.app_b().Reports());
  for (const ConnReport& r : net.app_b().Reports()) {
    EXPECT_TRUE(r.closed);
    EXPECT_EQ(r.reason, CloseReason::kReset) << CloseReasonName(r.reason);
  }
  EXPECT_TRUE(net.b().running()) << "the peer's loop must survive";
}

TEST(StackThreadTest, ConnectToSilentPeerFailsThroughTheTimers) {
  // B's end of the link exists but nobody runs it: ARP is never answered.
  auto link = link::CreateSocketPairLink(1500, kMacA, kMacB);
  ASSERT_TRUE(link.ok()) << link.status();
  HostConfig config = StackConfig(kIpA);
  config.interface.arp_retry_interval = Duration::Millis(50);
  config.interface.arp_max_requests = 2;
  config.tcp.rto_initial = Duration::Millis(50);
  config.tcp.syn_retries = 1;
  StackThread thread(config, std::move(link->first));
  TcpTestApp app({});
  app.Attach(thread);
  ASSERT_TRUE(thread.Start().ok());
  const absl::Time start = absl::Now();
  ASSERT_TRUE(app.Connect(thread, Endpoint{kIpB, kPort}).ok());
  ASSERT_TRUE(app.WaitFor([](const std::vector<ConnReport>& r) { return AllDone(r, 1); }, kTimeout))
      << Describe(app.Reports());
  const ConnReport r = app.Reports()[0];
  EXPECT_TRUE(r.reason == CloseReason::kUnreachable || r.reason == CloseReason::kSynTimeout)
      << CloseReasonName(r.reason);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10)) << "timers fired late";
  EXPECT_GE(thread.CountersSnapshot().arp_requests_tx, 2u);
}

// A device whose fd (an eventfd) is always readable and whose receives fail as scripted.
class FailingDevice : public FakeDevice {
 public:
  FailingDevice(absl::Status error, int failures)
      : FakeDevice(1500, kMacA), error_(std::move(error)), failures_(failures) {
    fd_ = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
  }
  ~FailingDevice() override { ::close(fd_); }
  int fd() const override { return fd_; }
  absl::StatusOr<size_t> Receive(absl::Span<uint8_t> buf, Instant now) override {
    ++receives_;
    if (failures_ > 0) {
      --failures_;
      return error_;
    }
    uint64_t value;
    [[maybe_unused]] ssize_t n = ::read(fd_, &value, sizeof(value));  // no longer readable
    return 0;
  }
  std::atomic<int> receives_{0};

 private:
  int fd_;
  absl::Status error_;
  std::atomic<int> failures_;
};

TEST(StackThreadTest, FatalDeviceErrorStopsTheLoopAndIsReported) {
  auto device = std::make_unique<FailingDevice>(absl::FailedPreconditionError("EBADF"), 1000);
  StackThread thread(StackConfig(kIpA), std::move(device));
  ASSERT_TRUE(thread.Start().ok());
  const absl::Time give_up = absl::Now() + kTimeout;
  while (thread.running() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_FALSE(thread.running());
  EXPECT_EQ(thread.status().code(), absl::StatusCode::kFailedPrecondition) << thread.status();
  EXPECT_EQ(thread.last_device_error().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(thread.device_error_count(), 1u);
  absl::Status refused = thread.Post([](Host&, Instant) {});
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("EBADF"), absl::string_view::npos) << refused;
  EXPECT_EQ(thread.Call([](Host&, Instant) { return 7; }), 7) << "Call still works (inline)";
}

TEST(StackThreadTest, TransientDeviceErrorsAreRecordedAndTheLoopGoesOn) {
  auto device = std::make_unique<FailingDevice>(absl::UnknownError("EIO"), 5);
  FailingDevice* raw = device.get();
  StackThread thread(StackConfig(kIpA), std::move(device));
  ASSERT_TRUE(thread.Start().ok());
  const absl::Time give_up = absl::Now() + kTimeout;
  while (raw->receives_.load() < 6 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(thread.Call([](Host&, Instant) { return 1; }), 1);
  EXPECT_TRUE(thread.running());
  EXPECT_TRUE(thread.status().ok()) << thread.status();
  EXPECT_EQ(thread.device_error_count(), 5u);
  EXPECT_EQ(thread.last_device_error().code(), absl::StatusCode::kUnknown);
}

TEST(StackThreadTest, DeviceThatFailsEveryReceiveIsGivenUpOn) {
  auto device = std::make_unique<FailingDevice>(absl::UnknownError("EIO"), 1 << 30);
  StackThread thread(StackConfig(kIpA), std::move(device), {.max_consecutive_rx_errors = 50});
  ASSERT_TRUE(thread.Start().ok());
  const absl::Time give_up = absl::Now() + kTimeout;
  while (thread.running() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_FALSE(thread.running()) << "a busy loop on a broken device";
  EXPECT_NE(thread.status().message().find("50 receives in a row"), absl::string_view::npos)
      << thread.status();
}

TEST(StackThreadTest, PeerHangUpStopsTheLoop) {
  auto link = link::CreateSocketPairLink(1500, kMacA, kMacB);
  ASSERT_TRUE(link.ok()) << link.status();
  StackThread thread(StackConfig(kIpA), std::move(link->first));
  ASSERT_TRUE(thread.Start().ok());
  link->second.reset();  // the other end goes away
  const absl::Time give_up = absl::Now() + kTimeout;
  while (thread.running() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_FALSE(thread.running());
  EXPECT_FALSE(thread.status().ok());
}

// Counts Poll() calls; has no fd, so the loop must poll it on its own tick.
class FdlessDevice : public FakeDevice {
 public:
  FdlessDevice() : FakeDevice(1500, kMacA) {}
  void Poll(Instant now) override { ++polls; }
  std::atomic<int> polls{0};
};

TEST(StackThreadTest, DevicesWithoutAnFdArePolledOnATick) {
  auto device = std::make_unique<FdlessDevice>();
  FdlessDevice* raw = device.get();
  StackThread thread(StackConfig(kIpA), std::move(device),
                     {.fdless_poll_interval = Duration::Millis(2)});
  ASSERT_TRUE(thread.Start().ok());
  absl::SleepFor(absl::Milliseconds(200));
  const int polls = raw->polls.load();
  thread.Stop();
  // 100 ticks in theory; anything above 10 shows the tick runs without other wakeups.
  EXPECT_GE(polls, 10);
  EXPECT_LE(polls, 1000) << "polled in a busy loop";
}

TEST(StackThreadTest, StartRejectsAConfigThatDoesNotMatchTheDevice) {
  StackThread mtu_mismatch(StackConfig(kIpA), std::make_unique<FakeDevice>(9000, kMacA));
  absl::Status s = mtu_mismatch.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("MTU"), absl::string_view::npos) << s;

  StackThread layer_mismatch(StackConfig(kIpA),
                             std::make_unique<FakeDevice>(1500, kMacA, link::LinkLayer::kIp));
  EXPECT_EQ(layer_mismatch.Start().code(), absl::StatusCode::kInvalidArgument);

  StackThread no_device(StackConfig(kIpA), nullptr);
  EXPECT_EQ(no_device.Start().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tcpaas::runtime
