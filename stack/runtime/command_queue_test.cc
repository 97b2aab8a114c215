#include "stack/runtime/command_queue.h"

#include <poll.h>

#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "stack/host/host.h"

namespace tcpaas::runtime {
namespace {

bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

TEST(CommandQueueTest, RefusesCommandsUntilOpenedAndAfterClose) {
  CommandQueue queue(8);
  ASSERT_TRUE(queue.Init().ok());
  EXPECT_EQ(queue.Push([](Host&, Instant) {}).code(), absl::StatusCode::kFailedPrecondition);
  queue.Open();
  EXPECT_TRUE(queue.Push([](Host&, Instant) {}).ok());
  queue.Close("stopped for the test");
  absl::Status refused = queue.Push([](Host&, Instant) {});
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("stopped for the test"), absl::string_view::npos) << refused;

  // The command queued before Close() is still there to run.
  std::vector<Command> taken;
  queue.TakeAll(&taken);
  EXPECT_EQ(taken.size(), 1u);
}

TEST(CommandQueueTest, BoundedPushStopsAtTheLimitUnboundedDoesNot) {
  CommandQueue queue(3);
  ASSERT_TRUE(queue.Init().ok());
  queue.Open();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue.Push([](Host&, Instant) {}).ok()) << i;
  absl::Status full = queue.Push([](Host&, Instant) {});
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  EXPECT_TRUE(queue.Push([](Host&, Instant) {}, /*bounded=*/false).ok());
  EXPECT_EQ(queue.size(), 4u);

  std::vector<Command> taken;
  queue.TakeAll(&taken);
  EXPECT_EQ(taken.size(), 4u);
  EXPECT_TRUE(queue.Push([](Host&, Instant) {}).ok()) << "room again after TakeAll";
}

TEST(CommandQueueTest, EventFdIsReadableExactlyWhileCommandsWait) {
  CommandQueue queue(8);
  ASSERT_TRUE(queue.Init().ok());
  queue.Open();
  EXPECT_FALSE(Readable(queue.fd()));
  ASSERT_TRUE(queue.Push([](Host&, Instant) {}).ok());
  ASSERT_TRUE(queue.Push([](Host&, Instant) {}).ok());
  EXPECT_TRUE(Readable(queue.fd()));
  std::vector<Command> taken;
  queue.TakeAll(&taken);
  EXPECT_FALSE(Readable(queue.fd()));
  EXPECT_EQ(taken.size(), 2u);

  ASSERT_TRUE(queue.Push([](Host&, Instant) {}).ok());
  EXPECT_TRUE(Readable(queue.fd())) << "a push into the emptied queue must signal again";
  queue.TakeAll(&taken);
  queue.Wake();
  EXPECT_TRUE(Readable(queue.fd()));
}

TEST(CommandQueueTest, ManyProducersKeepTheirOwnOrderAndLoseNothing) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 20000;
  CommandQueue queue(kProducers * kPerProducer);
  ASSERT_TRUE(queue.Init().ok());
  queue.Open();

  std::vector<std::vector<int>> seen(kProducers);
  std::vector<std::thread> producers;
  producers.reserve(kProducers);
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&queue, &seen, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        ASSERT_TRUE(queue.Push([&seen, p, i](Host&, Instant) { seen[p].push_back(i); }).ok());
      }
    });
  }
  // Consume concurrently, waiting on the eventfd like the stack thread does.
  Host host{HostConfig{}};  // the commands ignore it
  size_t ran = 0;
  std::vector<Command> batch;
  while (ran < size_t{kProducers} * kPerProducer) {
    pollfd pfd{queue.fd(), POLLIN, 0};
    ASSERT_GE(::poll(&pfd, 1, 10000), 1) << "no wakeup after " << ran << " commands";
    queue.TakeAll(&batch);
    for (Command& c : batch) c(host, Instant::Zero());
    ran += batch.size();
    batch.clear();
  }
  for (std::thread& t : producers) t.join();
  for (int p = 0; p < kProducers; ++p) {
    ASSERT_EQ(seen[p].size(), size_t{kPerProducer});
    for (int i = 0; i < kPerProducer; ++i) ASSERT_EQ(seen[p][i], i) << "producer " << p;
  }
}

}  // namespace
}  // namespace tcpaas::runtime
