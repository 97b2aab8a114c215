#include "stack/link/memory_link.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::link {
namespace {

const MacAddress kMacA({0x02, 0, 0, 0, 0, 0x0a});
const MacAddress kMacB({0x02, 0, 0, 0, 0, 0x0b});
const Instant kNow = Instant::Zero();

std::vector<uint8_t> Frame(size_t size, uint8_t tag) {
  std::vector<uint8_t> f(size);
  for (size_t i = 0; i < size; ++i) f[i] = static_cast<uint8_t>(tag + i);
  return f;
}

std::vector<uint8_t> ReceiveOne(Device& d, size_t buf_size = 2048) {
  std::vector<uint8_t> buf(buf_size);
  absl::StatusOr<size_t> n = d.Receive(absl::MakeSpan(buf), kNow);
  EXPECT_TRUE(n.ok()) << n.status();
  buf.resize(n.ok() ? *n : 0);
  return buf;
}

MemoryLinkOptions Options() {
  MemoryLinkOptions o;
  o.mac_a = kMacA;
  o.mac_b = kMacB;
  return o;
}

TEST(MemoryLinkTest, ReportsItsProperties) {
  auto [a, b] = CreateMemoryLinkPair(Options());
  EXPECT_EQ(a->mac(), kMacA);
  EXPECT_EQ(b->mac(), kMacB);
  EXPECT_EQ(a->mtu(), 1500u);
  EXPECT_EQ(a->link_layer(), LinkLayer::kEthernet);
  EXPECT_EQ(a->fd(), -1);
  EXPECT_TRUE(a->NextDeadline().is_never());

  MemoryLinkOptions ip = Options();
  ip.link_layer = LinkLayer::kIp;
  auto [c, d] = CreateMemoryLinkPair(ip);
  EXPECT_EQ(c->link_layer(), LinkLayer::kIp);
  EXPECT_TRUE(c->mac().is_zero());  // L3 devices have no hardware address
}

TEST(MemoryLinkTest, CarriesFramesBothWaysInOrder) {
  auto [a, b] = CreateMemoryLinkPair(Options());
  for (uint8_t i = 0; i < 10; ++i) ASSERT_TRUE(a->Transmit(Frame(60 + i, i), kNow).ok());
  ASSERT_TRUE(b->Transmit(Frame(100, 0xb0), kNow).ok());
  for (uint8_t i = 0; i < 10; ++i) EXPECT_EQ(ReceiveOne(*b), Frame(60 + i, i));
  EXPECT_TRUE(ReceiveOne(*b).empty());  // nothing left: 0, not an error
  EXPECT_EQ(ReceiveOne(*a), Frame(100, 0xb0));
  EXPECT_TRUE(ReceiveOne(*a).empty());
}

TEST(MemoryLinkTest, TransmitCopiesTheFrame) {
  auto [a, b] = CreateMemoryLinkPair(Options());
  std::vector<uint8_t> f = Frame(64, 1);
  ASSERT_TRUE(a->Transmit(f, kNow).ok());
  f.assign(f.size(), 0xee);  // the caller reuses its buffer
  EXPECT_EQ(ReceiveOne(*b), Frame(64, 1));
}

TEST(MemoryLinkTest, FullQueueIsUnavailableUntilDrained) {
  MemoryLinkOptions o = Options();
  o.queue_limit = 4;
  auto [a, b] = CreateMemoryLinkPair(o);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(a->Transmit(Frame(60, i), kNow).ok());
  EXPECT_EQ(a->Transmit(Frame(60, 9), kNow).code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(b->Transmit(Frame(60, 9), kNow).ok());  // the other direction has its own queue
  EXPECT_EQ(ReceiveOne(*b), Frame(60, 0));
  EXPECT_TRUE(a->Transmit(Frame(60, 4), kNow).ok());
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(ReceiveOne(*b), Frame(60, i));
}

TEST(MemoryLinkTest, RefusesOversizedAndEmptyFrames) {
  auto [a, b] = CreateMemoryLinkPair(Options());
  EXPECT_TRUE(a->Transmit(Frame(1514, 0), kNow).ok());  // MTU + Ethernet header fits
  EXPECT_EQ(a->Transmit(Frame(1515, 0), kNow).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a->Transmit({}, kNow).code(), absl::StatusCode::kInvalidArgument);

  MemoryLinkOptions ip = Options();
  ip.link_layer = LinkLayer::kIp;
  auto [c, d] = CreateMemoryLinkPair(ip);
  EXPECT_TRUE(c->Transmit(Frame(1500, 0), kNow).ok());
  EXPECT_EQ(c->Transmit(Frame(1501, 0), kNow).code(), absl::StatusCode::kInvalidArgument);
}

TEST(MemoryLinkTest, ShortBufferTruncatesAndConsumesTheFrame) {
  auto [a, b] = CreateMemoryLinkPair(Options());
  ASSERT_TRUE(a->Transmit(Frame(100, 0), kNow).ok());
  ASSERT_TRUE(a->Transmit(Frame(50, 7), kNow).ok());
  const std::vector<uint8_t> head = ReceiveOne(*b, 10);
  const std::vector<uint8_t> whole = Frame(100, 0);
  EXPECT_EQ(head, std::vector<uint8_t>(whole.begin(), whole.begin() + 10));
  EXPECT_EQ(ReceiveOne(*b), Frame(50, 7));
}

TEST(MemoryLinkTest, EachEndOutlivesTheOther) {
  for (int destroy_first : {0, 1}) {
    SCOPED_TRACE(destroy_first);
    auto ends = CreateMemoryLinkPair(Options());
    std::unique_ptr<Device>& gone = destroy_first == 0 ? ends.first : ends.second;
    std::unique_ptr<Device>& kept = destroy_first == 0 ? ends.second : ends.first;
    ASSERT_TRUE(gone->Transmit(Frame(60, 1), kNow).ok());
    gone.reset();
    EXPECT_EQ(ReceiveOne(*kept), Frame(60, 1));  // in flight before the far end went away
    EXPECT_TRUE(ReceiveOne(*kept).empty());
    for (int i = 0; i < 5000; ++i) {  // more than the queue holds: discarded, never full
      ASSERT_TRUE(kept->Transmit(Frame(60, 2), kNow).ok());
    }
    EXPECT_EQ(kept->mac(), destroy_first == 0 ? kMacB : kMacA);
  }
}

}  // namespace
}  // namespace tcpaas::link
