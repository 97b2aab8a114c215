#include "stack/link/fault_injector.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "stack/wire/endian.h"

namespace tcpaas::link {
namespace {

// A device that remembers what it was given and hands out frames a test queued.
class FakeDevice : public Device {
 public:
  struct Sent {
    std::vector<uint8_t> bytes;
    Instant at;
  };

  LinkLayer link_layer() const override { return LinkLayer::kEthernet; }
  size_t mtu() const override { return 1500; }
  MacAddress mac() const override { return MacAddress({2, 0, 0, 0, 0, 1}); }
  int fd() const override { return 42; }
  absl::StatusOr<size_t> Receive(absl::Span<uint8_t> buf, Instant now) override {
    if (!receive_error.ok()) return receive_error;
    if (to_receive.empty()) return 0;
    const std::vector<uint8_t> f = std::move(to_receive.front());
    to_receive.pop_front();
    std::copy(f.begin(), f.end(), buf.begin());
    return f.size();
  }
  absl::Status Transmit(absl::Span<const uint8_t> frame, Instant now) override {
    if (!transmit_result.ok()) return transmit_result;
    sent.push_back({{frame.begin(), frame.end()}, now});
    return absl::OkStatus();
  }

  std::vector<Sent> sent;
  std::deque<std::vector<uint8_t>> to_receive;
  absl::Status transmit_result;
  absl::Status receive_error;
};

// Frame i: its index in the first four bytes, then a pattern.
std::vector<uint8_t> Frame(uint32_t i, size_t size = 100) {
  std::vector<uint8_t> f(size);
  wire::Store32(f.data(), i);
  for (size_t k = 4; k < size; ++k) f[k] = static_cast<uint8_t>(i * 7 + k);
  return f;
}
uint32_t IndexOf(const std::vector<uint8_t>& f) { return wire::Load32(f.data()); }

struct Harness {
  Harness(const FaultSpec& spec, uint64_t seed) {
    auto fake = std::make_unique<FakeDevice>();
    inner = fake.get();
    injector = std::make_unique<FaultInjector>(std::move(fake), spec, seed);
  }

  // Sends n frames, one every `gap` from time zero, and serves every deadline exactly on
  // time until nothing is left, like a virtual-time event loop.
  void Run(uint32_t n, Duration gap, size_t size = 100) {
    Instant next_send = Instant::Zero();
    uint32_t i = 0;
    while (true) {
      const Instant deadline = injector->NextDeadline();
      if (i < n && next_send <= deadline) {
        ASSERT_TRUE(injector->Transmit(Frame(i, size), next_send).ok());
        ++i;
        next_send += gap;
      } else if (!deadline.is_never()) {
        injector->Poll(deadline);
      } else {
        break;
      }
    }
  }

  std::vector<uint32_t> Order() const {
    std::vector<uint32_t> order;
    for (const FakeDevice::Sent& s : inner->sent) order.push_back(IndexOf(s.bytes));
    return order;
  }

  FakeDevice* inner;
  std::unique_ptr<FaultInjector> injector;
};

FaultSpec Spec(const std::string& text) {
  absl::StatusOr<FaultSpec> spec = FaultSpec::Parse(text);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : FaultSpec();
}

TEST(FaultInjectorTest, PassThroughForwardsEverythingUntouched) {
  Harness h(FaultSpec(), 1);
  h.Run(100, Duration::Millis(1));
  ASSERT_EQ(h.inner->sent.size(), 100u);
  for (uint32_t i = 0; i < 100; ++i) {
    EXPECT_EQ(h.inner->sent[i].bytes, Frame(i));
    EXPECT_EQ(h.inner->sent[i].at.nanos(), Duration::Millis(i).nanos());
  }
  // Errors of the inner device reach the caller unchanged, as do its properties.
  h.inner->transmit_result = absl::UnavailableError("full");
  EXPECT_EQ(h.injector->Transmit(Frame(0), Instant::Zero()).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(h.injector->fd(), 42);
  EXPECT_EQ(h.injector->mtu(), 1500u);
  EXPECT_EQ(h.injector->mac(), MacAddress({2, 0, 0, 0, 0, 1}));
  EXPECT_EQ(h.injector->stats(), FaultStats());
}

TEST(FaultInjectorTest, SameSeedSameFramesAtSameTimes) {
  const FaultSpec spec =
      Spec("drop=0.05,dup=0.02,reorder=0.05,corrupt=0.01,delay=5ms,jitter=3ms,rate=50mbit");
  auto run = [&spec](uint64_t seed) {
    Harness h(spec, seed);
    h.Run(20000, Duration::Micros(100), 300);
    return std::make_pair(h.inner->sent, h.injector->stats());
  };
  const auto [first, first_stats] = run(7);
  const auto [again, again_stats] = run(7);
  const auto [other, other_stats] = run(8);
  ASSERT_EQ(first.size(), again.size());
  for (size_t i = 0; i < first.size(); ++i) {
    ASSERT_EQ(first[i].bytes, again[i].bytes) << "frame " << i << ", seed 7";
    ASSERT_EQ(first[i].at, again[i].at) << "frame " << i << ", seed 7";
  }
  EXPECT_EQ(first_stats, again_stats);
  // Every kind of fault happened, and another seed gives another run.
  EXPECT_GT(first_stats.dropped, 0u);
  EXPECT_GT(first_stats.duplicated, 0u);
  EXPECT_GT(first_stats.reordered, 0u);
  EXPECT_GT(first_stats.corrupted, 0u);
  EXPECT_GT(first_stats.delayed, 0u);
  EXPECT_FALSE(first_stats == other_stats && first.size() == other.size() &&
               std::equal(first.begin(), first.end(), other.begin(),
                          [](const FakeDevice::Sent& a, const FakeDevice::Sent& b) {
                            return a.bytes == b.bytes && a.at == b.at;
                          }));
}

// Rates over 100k frames with fixed seeds; tolerances are 5 standard deviations.
struct RateCase {
  std::string spec;
  uint64_t seed;
};

class FaultRateTest : public ::testing::TestWithParam<RateCase> {};

constexpr uint32_t kFrames = 100000;

double Tolerance(double p, double n) { return 5 * std::sqrt(n * p * (1 - p)) + 1; }

TEST_P(FaultRateTest, MatchesTheConfiguredProbability) {
  const FaultSpec spec = Spec(GetParam().spec);
  SCOPED_TRACE(::testing::Message() << "spec " << spec.ToString() << " seed " << GetParam().seed);
  Harness h(spec, GetParam().seed);
  h.Run(kFrames, Duration::Micros(10));
  const FaultStats stats = h.injector->stats();
  const std::vector<uint32_t> order = h.Order();

  if (spec.drop > 0) {
    EXPECT_NEAR(stats.dropped, kFrames * spec.drop, Tolerance(spec.drop, kFrames));
  }
  if (spec.duplicate > 0) {
    const double survivors = kFrames - stats.dropped;
    EXPECT_NEAR(stats.duplicated, survivors * spec.duplicate, Tolerance(spec.duplicate, survivors));
  }
  EXPECT_EQ(order.size(), kFrames - stats.dropped + stats.duplicated);

  if (spec.corrupt > 0) {
    EXPECT_NEAR(stats.corrupted, order.size() * spec.corrupt,
                Tolerance(spec.corrupt, order.size()));
    // Order is kept, so output k is input k: exactly `corrupted` frames differ, by one bit.
    uint64_t one_bit = 0;
    for (uint32_t k = 0; k < order.size(); ++k) {
      const std::vector<uint8_t> want = Frame(k);
      const std::vector<uint8_t>& got = h.inner->sent[k].bytes;
      ASSERT_EQ(got.size(), want.size());
      int bits = 0;
      for (size_t b = 0; b < got.size(); ++b) bits += std::popcount<uint8_t>(got[b] ^ want[b]);
      ASSERT_LE(bits, 1) << "frame " << k;
      one_bit += bits;
    }
    EXPECT_EQ(one_bit, stats.corrupted);
  }

  if (spec.reorder > 0) {
    // A held frame blocks holding the next one, so holds happen at rate p / (1 + p).
    const double p = spec.reorder / (1 + spec.reorder);
    EXPECT_NEAR(stats.reordered, kFrames * p, Tolerance(p, kFrames));
    // Each held frame swaps places with the one after it, and with nothing else.
    uint64_t swaps = 0;
    std::vector<bool> seen(kFrames);
    for (size_t k = 0; k < order.size(); ++k) {
      ASSERT_LE(std::abs(static_cast<int64_t>(order[k]) - static_cast<int64_t>(k)), 1) << k;
      ASSERT_FALSE(seen[order[k]]);
      seen[order[k]] = true;
      if (k + 1 < order.size() && order[k] > order[k + 1]) ++swaps;
    }
    EXPECT_GE(swaps + 1, stats.reordered);  // the last hold may have expired unswapped
    EXPECT_LE(swaps, stats.reordered);
  }
}

INSTANTIATE_TEST_SUITE_P(Rates, FaultRateTest,
                         ::testing::Values(RateCase{"drop=0.05", 1}, RateCase{"drop=0.5", 2},
                                           RateCase{"drop=0.001", 3}, RateCase{"dup=0.01", 4},
                                           RateCase{"dup=0.2", 5}, RateCase{"drop=0.1,dup=0.1", 6},
                                           RateCase{"corrupt=0.001", 7},
                                           RateCase{"corrupt=0.05", 8}, RateCase{"reorder=0.02", 9},
                                           RateCase{"reorder=0.3", 10}),
                         [](const ::testing::TestParamInfo<RateCase>& info) {
                           return std::to_string(info.index);
                         });

TEST(FaultInjectorTest, ConstantDelayKeepsOrderAndExactTimes) {
  Harness h(Spec("delay=10ms"), 1);
  for (uint32_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(h.injector->Transmit(Frame(i), Instant::Zero() + Duration::Millis(i)).ok());
  }
  EXPECT_TRUE(h.inner->sent.empty());
  EXPECT_EQ(h.injector->NextDeadline().nanos(), Duration::Millis(10).nanos());
  h.injector->Poll(Instant::Zero() + Duration::Millis(10) - Duration::Nanos(1));
  EXPECT_TRUE(h.inner->sent.empty());  // not a nanosecond early
  for (uint32_t i = 0; i < 5; ++i) {
    const Instant due = Instant::Zero() + Duration::Millis(10 + i);
    ASSERT_EQ(h.injector->NextDeadline(), due);
    h.injector->Poll(due);
    ASSERT_EQ(h.inner->sent.size(), i + 1);
    EXPECT_EQ(h.inner->sent[i].bytes, Frame(i));
    EXPECT_EQ(h.inner->sent[i].at, due);
  }
  EXPECT_TRUE(h.injector->NextDeadline().is_never());
  EXPECT_EQ(h.injector->stats().delayed, 5u);
}

TEST(FaultInjectorTest, JitterStaysInRangeAndLetsFramesOvertake) {
  const uint64_t seed = 99;
  Harness h(Spec("delay=10ms,jitter=2ms"), seed);
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  constexpr uint32_t kCount = 2000;
  const Duration gap = Duration::Micros(100);
  h.Run(kCount, gap);
  ASSERT_EQ(h.inner->sent.size(), kCount);
  Duration min_delay = Duration::Infinite(), max_delay;
  int overtakes = 0;
  for (size_t k = 0; k < kCount; ++k) {
    const FakeDevice::Sent& s = h.inner->sent[k];
    const Duration delay = s.at - (Instant::Zero() + gap * IndexOf(s.bytes));
    EXPECT_GE(delay.nanos(), Duration::Millis(10).nanos());
    EXPECT_LE(delay.nanos(), Duration::Millis(12).nanos());
    min_delay = Min(min_delay, delay);
    max_delay = Max(max_delay, delay);
    if (k > 0) {
      EXPECT_GE(s.at.nanos(), h.inner->sent[k - 1].at.nanos());  // released in time order
      overtakes += IndexOf(s.bytes) < IndexOf(h.inner->sent[k - 1].bytes);
    }
  }
  EXPECT_LT(min_delay.nanos(), Duration::Micros(10100).nanos());  // the whole range is used
  EXPECT_GT(max_delay.nanos(), Duration::Micros(11900).nanos());
  EXPECT_GT(overtakes, 0);
}

TEST(FaultInjectorTest, RateLimitSerializesFramesInVirtualTime) {
  // 8 Mbit/s: a 1000-byte frame occupies the link for exactly 1 ms.
  Harness h(Spec("rate=8mbit"), 1);
  auto drain = [](Harness& x) {
    while (!x.injector->NextDeadline().is_never()) x.injector->Poll(x.injector->NextDeadline());
  };
  for (uint32_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(h.injector->Transmit(Frame(i, 1000), Instant::Zero()).ok());
  }
  drain(h);
  // The link stays idle until 50 ms: no credit is saved up.
  ASSERT_TRUE(h.injector->Transmit(Frame(10, 1000), Instant::Zero() + Duration::Millis(50)).ok());
  drain(h);
  ASSERT_EQ(h.inner->sent.size(), 11u);
  for (uint32_t i = 0; i < 10; ++i) {
    EXPECT_EQ(h.inner->sent[i].at.nanos(), Duration::Millis(i + 1).nanos()) << i;
  }
  EXPECT_EQ(h.inner->sent[10].at.nanos(), Duration::Millis(51).nanos());

  // With a delay, the frame arrives one delay after it finished serializing.
  Harness d(Spec("rate=8mbit,delay=5ms"), 1);
  ASSERT_TRUE(d.injector->Transmit(Frame(0, 1000), Instant::Zero()).ok());
  ASSERT_TRUE(d.injector->Transmit(Frame(1, 500), Instant::Zero()).ok());
  drain(d);
  ASSERT_EQ(d.inner->sent.size(), 2u);
  EXPECT_EQ(d.inner->sent[0].at.nanos(), Duration::Millis(6).nanos());
  EXPECT_EQ(d.inner->sent[1].at.nanos(), Duration::Micros(6500).nanos());
}

TEST(FaultInjectorTest, RateLimitSustainsTheRate) {
  // Offered 2x the rate for 1 s of virtual time; the queue absorbs a little, the rest drops.
  Harness h(Spec("rate=10mbit,queue=64"), 3);
  h.Run(2500, Duration::Micros(400), 1000);  // 20 Mbit/s offered
  const FakeDevice::Sent& last = h.inner->sent.back();
  const double seconds = (last.at - Instant::Zero()).seconds();
  const double bits = 8.0 * 1000 * h.inner->sent.size();
  EXPECT_NEAR(bits / seconds, 10e6, 10e6 * 0.001);
  EXPECT_EQ(h.inner->sent.size() + h.injector->stats().queue_overflow, 2500u);
  EXPECT_GT(h.injector->stats().queue_overflow, 1000u);
}

TEST(FaultInjectorTest, QueueLimitBoundsHeldFrames) {
  Harness h(Spec("delay=1s,queue=100"), 1);
  for (uint32_t i = 0; i < 150; ++i)
    ASSERT_TRUE(h.injector->Transmit(Frame(i), Instant::Zero()).ok());
  EXPECT_EQ(h.injector->stats().queue_overflow, 50u);
  h.injector->Poll(Instant::Zero() + Duration::Seconds(1));
  ASSERT_EQ(h.inner->sent.size(), 100u);
  EXPECT_EQ(h.Order().back(), 99u);  // the first 100 were kept, the rest dropped
  // Released frames free their places.
  for (uint32_t i = 0; i < 100; ++i) {
    ASSERT_TRUE(h.injector->Transmit(Frame(i), Instant::Zero() + Duration::Seconds(1)).ok());
  }
  EXPECT_EQ(h.injector->stats().queue_overflow, 50u);
}

TEST(FaultInjectorTest, ReorderSwapsWithTheNextFrameOrGoesOutAfterTheHold) {
  Harness h(Spec("reorder=1,hold=3ms"), 1);
  for (uint32_t i = 0; i < 6; ++i)
    ASSERT_TRUE(h.injector->Transmit(Frame(i), Instant::Zero()).ok());
  EXPECT_EQ(h.Order(), (std::vector<uint32_t>{1, 0, 3, 2, 5, 4}));
  EXPECT_EQ(h.injector->stats().reordered, 3u);

  // A held frame with nobody to overtake it leaves when the hold expires.
  ASSERT_TRUE(h.injector->Transmit(Frame(6), Instant::Zero() + Duration::Millis(10)).ok());
  EXPECT_EQ(h.inner->sent.size(), 6u);
  EXPECT_EQ(h.injector->NextDeadline().nanos(), Duration::Millis(13).nanos());
  h.injector->Poll(Instant::Zero() + Duration::Millis(13));
  ASSERT_EQ(h.inner->sent.size(), 7u);
  EXPECT_EQ(h.inner->sent.back().at.nanos(), Duration::Millis(13).nanos());
}

TEST(FaultInjectorTest, DuplicatesFollowTheOriginal) {
  Harness h(Spec("dup=1"), 1);
  h.Run(3, Duration::Millis(1));
  EXPECT_EQ(h.Order(), (std::vector<uint32_t>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(h.injector->stats().duplicated, 3u);
}

TEST(FaultInjectorTest, RefusedReleasesAreCountedNotReturned) {
  Harness h(Spec("delay=1ms"), 1);
  ASSERT_TRUE(h.injector->Transmit(Frame(0), Instant::Zero()).ok());
  h.inner->transmit_result = absl::UnavailableError("full");
  h.injector->Poll(Instant::Zero() + Duration::Millis(1));
  EXPECT_EQ(h.injector->stats().inner_rejected, 1u);
  EXPECT_TRUE(h.injector->NextDeadline().is_never());  // dropped, not retried forever
}

TEST(FaultInjectorTest, ReceiveSideOnlyWhenAsked) {
  Harness tx_only(Spec("drop=1"), 1);
  tx_only.inner->to_receive.push_back(Frame(0));
  std::vector<uint8_t> buf(2048);
  absl::StatusOr<size_t> n = tx_only.injector->Receive(absl::MakeSpan(buf), Instant::Zero());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 100u);  // received frames pass untouched

  Harness rx(Spec("drop=1,rx"), 1);
  for (uint32_t i = 0; i < 5; ++i) rx.inner->to_receive.push_back(Frame(i));
  n = rx.injector->Receive(absl::MakeSpan(buf), Instant::Zero());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  EXPECT_TRUE(rx.inner->to_receive.empty());
  EXPECT_EQ(rx.injector->receive_stats().dropped, 5u);
  EXPECT_EQ(rx.injector->transmit_stats().dropped, 0u);

  rx.inner->receive_error = absl::InternalError("device gone");
  EXPECT_EQ(rx.injector->Receive(absl::MakeSpan(buf), Instant::Zero()).status().code(),
            absl::StatusCode::kInternal);
}

TEST(FaultInjectorTest, DelayedReceivesComeOutAtTheirTime) {
  Harness h(Spec("delay=5ms,rx"), 1);
  for (uint32_t i = 0; i < 3; ++i) h.inner->to_receive.push_back(Frame(i));
  std::vector<uint8_t> buf(2048);
  EXPECT_EQ(*h.injector->Receive(absl::MakeSpan(buf), Instant::Zero()), 0u);
  EXPECT_EQ(h.injector->NextDeadline().nanos(), Duration::Millis(5).nanos());
  EXPECT_EQ(*h.injector->Receive(absl::MakeSpan(buf), Instant::Zero() + Duration::Millis(4)), 0u);
  for (uint32_t i = 0; i < 3; ++i) {
    absl::StatusOr<size_t> n =
        h.injector->Receive(absl::MakeSpan(buf), Instant::Zero() + Duration::Millis(5));
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(*n, 100u);
    EXPECT_EQ(IndexOf(buf), i);
  }
  EXPECT_EQ(*h.injector->Receive(absl::MakeSpan(buf), Instant::Zero() + Duration::Millis(5)), 0u);
  EXPECT_TRUE(h.injector->NextDeadline().is_never());
}

TEST(FaultInjectorTest, ReceivingDoesNotShiftTransmitFaults) {
  const FaultSpec spec = Spec("drop=0.3,corrupt=0.1,rx");
  Harness quiet(spec, 5), busy(spec, 5);
  std::vector<uint8_t> buf(2048);
  for (uint32_t i = 0; i < 1000; ++i) {
    busy.inner->to_receive.push_back(Frame(i));
    ASSERT_TRUE(busy.injector->Receive(absl::MakeSpan(buf), Instant::Zero()).ok());
    ASSERT_TRUE(busy.injector->Transmit(Frame(i), Instant::Zero()).ok());
    ASSERT_TRUE(quiet.injector->Transmit(Frame(i), Instant::Zero()).ok());
  }
  ASSERT_EQ(quiet.inner->sent.size(), busy.inner->sent.size());
  for (size_t k = 0; k < quiet.inner->sent.size(); ++k) {
    EXPECT_EQ(quiet.inner->sent[k].bytes, busy.inner->sent[k].bytes) << k;
  }
  EXPECT_GT(busy.injector->receive_stats().dropped, 0u);
}

}  // namespace
}  // namespace tcpaas::link
