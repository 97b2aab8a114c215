#include "stack/ip/arp_cache.h"

#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::ip {
namespace {

constexpr Ipv4Address kA = Ipv4Address::FromOctets(198, 18, 0, 10);
constexpr Ipv4Address kB = Ipv4Address::FromOctets(198, 18, 0, 11);
constexpr Ipv4Address kC = Ipv4Address::FromOctets(198, 18, 0, 12);
constexpr MacAddress kMacA({2, 0, 0, 0, 0, 0x0a});
constexpr MacAddress kMacB({2, 0, 0, 0, 0, 0x0b});
constexpr MacAddress kMacC({2, 0, 0, 0, 0, 0x0c});

PacketBuffer Datagram(uint8_t tag) {
  PacketBuffer p(64, 16);
  p.Append(absl::MakeConstSpan(&tag, 1));
  return p;
}

ArpCacheConfig SmallConfig() {
  ArpCacheConfig c;
  c.entry_ttl = Duration::Seconds(60);
  c.retry_interval = Duration::Seconds(1);
  c.max_requests = 3;
  c.capacity = 2;
  c.pending_per_neighbor = 2;
  c.pending_total = 3;
  return c;
}

TEST(ArpCacheTest, MergeCreatesOnlyWhenAsked) {
  ArpCache cache(SmallConfig());
  std::vector<PacketBuffer> released;
  cache.Merge(kA, kMacA, /*create=*/false, Instant::Zero(), &released);
  EXPECT_EQ(cache.Lookup(kA), std::nullopt);
  cache.Merge(kA, kMacA, /*create=*/true, Instant::Zero(), &released);
  EXPECT_EQ(cache.Lookup(kA), kMacA);
  cache.Merge(kA, kMacB, /*create=*/false, Instant::Zero(), &released);
  EXPECT_EQ(cache.Lookup(kA), kMacB);
  EXPECT_TRUE(released.empty());
}

TEST(ArpCacheTest, ResolvingEntriesQueueAndRelease) {
  ArpCache cache(SmallConfig());
  const Instant t0 = Instant::Zero();
  PacketBuffer d0 = Datagram(0), d1 = Datagram(1), d2 = Datagram(2);
  EXPECT_EQ(cache.Enqueue(kA, &d0, t0), ArpCache::EnqueueResult::kQueuedNewResolution);
  EXPECT_EQ(cache.Enqueue(kA, &d1, t0), ArpCache::EnqueueResult::kQueued);
  EXPECT_EQ(cache.Enqueue(kA, &d2, t0), ArpCache::EnqueueResult::kFull);
  EXPECT_TRUE(d2.valid());  // left with the caller
  EXPECT_EQ(cache.pending_packets(), 2u);
  EXPECT_EQ(cache.LookupForSend(kA, t0), std::nullopt);

  std::vector<PacketBuffer> released;
  cache.Merge(kA, kMacA, /*create=*/false, t0, &released);  // the reply (merge suffices)
  ASSERT_EQ(released.size(), 2u);
  EXPECT_EQ(released[0].data()[0], 0);
  EXPECT_EQ(released[1].data()[0], 1);
  EXPECT_EQ(cache.pending_packets(), 0u);
  EXPECT_EQ(cache.Lookup(kA), kMacA);
}

TEST(ArpCacheTest, RequestScheduleThenAbandon) {
  ArpCache cache(SmallConfig());
  Instant t = Instant::Zero();
  PacketBuffer d = Datagram(7);
  ASSERT_EQ(cache.Enqueue(kA, &d, t), ArpCache::EnqueueResult::kQueuedNewResolution);
  for (int retry = 1; retry <= 2; ++retry) {
    EXPECT_EQ(cache.NextDeadline(), t + Duration::Seconds(1));
    t += Duration::Seconds(1);
    ArpCache::PollResult r;
    cache.Poll(t, &r);
    EXPECT_EQ(r.requests, std::vector<Ipv4Address>{kA}) << "retry " << retry;
    EXPECT_TRUE(r.abandoned.empty());
  }
  t += Duration::Seconds(1);
  ArpCache::PollResult r;
  cache.Poll(t, &r);
  EXPECT_TRUE(r.requests.empty());
  ASSERT_EQ(r.abandoned.size(), 1u);
  EXPECT_EQ(r.abandoned[0].data()[0], 7);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.pending_packets(), 0u);
  EXPECT_EQ(cache.NextDeadline(), Instant::Never());
}

TEST(ArpCacheTest, ResolvingEntriesAreNeverEvicted) {
  ArpCache cache(SmallConfig());  // capacity 2
  PacketBuffer a = Datagram(1), b = Datagram(2), c = Datagram(3);
  ASSERT_NE(cache.Enqueue(kA, &a, Instant::Zero()), ArpCache::EnqueueResult::kFull);
  ASSERT_NE(cache.Enqueue(kB, &b, Instant::Zero()), ArpCache::EnqueueResult::kFull);
  EXPECT_EQ(cache.Enqueue(kC, &c, Instant::Zero()), ArpCache::EnqueueResult::kFull);
  std::vector<PacketBuffer> released;
  cache.Merge(kC, kMacC, /*create=*/true, Instant::Zero(), &released);
  EXPECT_EQ(cache.Lookup(kC), std::nullopt);  // no room, nothing learned
}

TEST(ArpCacheTest, RefreshIsAskedForNearExpiryOncePerInterval) {
  ArpCache cache(SmallConfig());
  const Instant t0 = Instant::Zero();
  std::vector<PacketBuffer> released;
  cache.Merge(kA, kMacA, /*create=*/true, t0, &released);
  struct Step {
    Duration at;
    bool refresh;
  };
  const std::vector<Step> steps = {
      {Duration::Seconds(10), false}, {Duration::Millis(56'999), false},
      {Duration::Seconds(57), true},  {Duration::Millis(57'999), false},
      {Duration::Seconds(58), true},  {Duration::Millis(59'500), true},
  };
  for (const Step& s : steps) {
    std::optional<ArpCache::Hit> hit = cache.LookupForSend(kA, t0 + s.at);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->mac, kMacA);
    EXPECT_EQ(hit->refresh, s.refresh) << s.at.ToString();
  }
}

TEST(ArpCacheTest, StaticEntriesStay) {
  ArpCache cache(SmallConfig());
  std::vector<PacketBuffer> released;
  cache.AddStatic(kA, kMacA, &released);
  cache.Merge(kA, kMacB, /*create=*/true, Instant::Zero(), &released);
  ArpCache::PollResult r;
  cache.Poll(Instant::Zero() + Duration::Seconds(10'000), &r);
  EXPECT_EQ(cache.Lookup(kA), kMacA);
  std::optional<ArpCache::Hit> hit = cache.LookupForSend(kA, Instant::Zero());
  ASSERT_TRUE(hit.has_value());
  EXPECT_FALSE(hit->refresh);
  // Static entries do not take room from learned ones.
  cache.Merge(kB, kMacB, /*create=*/true, Instant::Zero(), &released);
  cache.Merge(kC, kMacC, /*create=*/true, Instant::Zero(), &released);
  EXPECT_EQ(cache.Lookup(kB), kMacB);
  EXPECT_EQ(cache.Lookup(kC), kMacC);
}

}  // namespace
}  // namespace tcpaas::ip
