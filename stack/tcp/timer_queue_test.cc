#include "stack/tcp/timer_queue.h"

#include <map>
#include <random>

#include "gtest/gtest.h"
#include "stack/tcp/timers.h"

namespace tcpaas::tcp {
namespace {

Instant At(int64_t ms) { return Instant::Zero() + Duration::Millis(ms); }

TEST(TimerQueue, EarliestFollowsSetsAndRemovals) {
  TimerQueue q;
  EXPECT_EQ(q.Earliest(), Instant::Never());
  q.Set(3, At(30));
  q.Set(1, At(10));
  q.Set(2, At(20));
  EXPECT_EQ(q.Earliest(), At(10));
  EXPECT_EQ(q.EarliestKey(), 1u);
  q.Set(1, At(40));  // increase-key
  EXPECT_EQ(q.EarliestKey(), 2u);
  q.Set(3, At(5));  // decrease-key
  EXPECT_EQ(q.EarliestKey(), 3u);
  q.Set(3, Instant::Never());  // Never removes
  EXPECT_EQ(q.EarliestKey(), 2u);
  q.Remove(2);
  q.Remove(2);  // twice is harmless
  EXPECT_EQ(q.EarliestKey(), 1u);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.DeadlineOf(1), At(40));
  EXPECT_EQ(q.DeadlineOf(7), Instant::Never());
}

// Random operations against a reference model (fixed seed).
TEST(TimerQueue, MatchesAReferenceUnderRandomOperations) {
  constexpr uint64_t kSeed = 20240601;
  std::mt19937_64 rng(kSeed);
  TimerQueue q;
  std::map<uint32_t, Instant> model;
  for (int step = 0; step < 20000; ++step) {
    const uint32_t key = static_cast<uint32_t>(rng() % 64);
    if (rng() % 4 == 0) {
      q.Remove(key);
      model.erase(key);
    } else {
      const Instant d = At(static_cast<int64_t>(rng() % 1000));
      q.Set(key, d);
      model[key] = d;
    }
    Instant want = Instant::Never();
    for (const auto& [k, d] : model) want = Earliest(want, d);
    ASSERT_EQ(q.Earliest(), want) << "seed " << kSeed << " step " << step;
    ASSERT_EQ(q.size(), model.size());
    if (!model.empty()) {
      ASSERT_EQ(model[q.EarliestKey()], want);
    }
  }
}

TEST(TimerSet, EarliestOfAllKinds) {
  TimerSet t;
  EXPECT_EQ(t.Earliest(), Instant::Never());
  t.Arm(TimerKind::kKeepalive, At(100));
  t.ArmIfIdle(TimerKind::kRetransmit, At(50));
  t.ArmIfIdle(TimerKind::kRetransmit, At(10));  // already running: unchanged
  EXPECT_EQ(t.Earliest(), At(50));
  EXPECT_TRUE(t.due(TimerKind::kRetransmit, At(50)));
  EXPECT_FALSE(t.due(TimerKind::kKeepalive, At(50)));
  t.Cancel(TimerKind::kRetransmit);
  EXPECT_EQ(t.Earliest(), At(100));
  t.CancelAll();
  EXPECT_FALSE(t.armed(TimerKind::kKeepalive));
  EXPECT_EQ(TimerKindName(TimerKind::kPersist), "persist");
}

}  // namespace
}  // namespace tcpaas::tcp
