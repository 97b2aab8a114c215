#include "stack/tcp/send_buffer.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

// n bytes counting up from `first` (mod 256), so every position in a stream is recognisable.
std::vector<uint8_t> Bytes(size_t n, uint8_t first = 0) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(first + i);
  return v;
}

std::vector<uint8_t> Flatten(const RingSlices& s) {
  std::vector<uint8_t> v(s.first.begin(), s.first.end());
  v.insert(v.end(), s.second.begin(), s.second.end());
  return v;
}

TEST(SendBufferTest, StartsEmptyWithoutStorage) {
  SendBuffer buf(64);
  EXPECT_EQ(buf.capacity(), 64u);
  EXPECT_EQ(buf.size(), 0u);
  EXPECT_EQ(buf.free(), 64u);
  EXPECT_TRUE(buf.empty());
  EXPECT_FALSE(buf.allocated());
  EXPECT_EQ(buf.Peek(0, 10).size(), 0u);
}

TEST(SendBufferTest, AllocatesOnFirstWriteAndReleasesOnlyWhenEmpty) {
  SendBuffer buf(64);
  EXPECT_EQ(buf.Write({}), 0u);
  EXPECT_FALSE(buf.allocated()) << "an empty write must not allocate";
  ASSERT_EQ(buf.Write(Bytes(10)), 10u);
  EXPECT_TRUE(buf.allocated());
  buf.ReleaseIfEmpty();
  EXPECT_TRUE(buf.allocated()) << "released while holding data";
  EXPECT_EQ(Flatten(buf.Peek(0, 10)), Bytes(10));
  buf.Consume(10);
  buf.ReleaseIfEmpty();
  EXPECT_FALSE(buf.allocated());
  // Usable again after the release.
  ASSERT_EQ(buf.Write(Bytes(5, 100)), 5u);
  EXPECT_TRUE(buf.allocated());
  EXPECT_EQ(Flatten(buf.Peek(0, 5)), Bytes(5, 100));
}

TEST(SendBufferTest, FullBufferTakesOnlyWhatFits) {
  SendBuffer buf(16);
  EXPECT_EQ(buf.Write(Bytes(20)), 16u);
  EXPECT_EQ(buf.free(), 0u);
  EXPECT_EQ(buf.Write(Bytes(1)), 0u);
  buf.Consume(3);
  EXPECT_EQ(buf.free(), 3u);
  EXPECT_EQ(buf.Write(Bytes(5, 16)), 3u);  // takes 16, 17, 18
  EXPECT_EQ(buf.size(), 16u);
  EXPECT_EQ(Flatten(buf.Peek(0, 16)), Bytes(16, 3));
}

TEST(SendBufferTest, PeekClipsToTheQueuedBytes) {
  SendBuffer buf(32);
  ASSERT_EQ(buf.Write(Bytes(10)), 10u);
  EXPECT_EQ(Flatten(buf.Peek(4, 100)), Bytes(6, 4));
  EXPECT_EQ(Flatten(buf.Peek(0, 3)), Bytes(3));
  EXPECT_EQ(buf.Peek(10, 5).size(), 0u);
  EXPECT_EQ(buf.Peek(11, 5).size(), 0u);
  EXPECT_EQ(buf.Peek(3, 0).size(), 0u);
}

TEST(SendBufferTest, PeekSlicesPointIntoTheRingWithoutCopying) {
  SendBuffer buf(8);
  ASSERT_EQ(buf.Write(Bytes(8)), 8u);
  const RingSlices a = buf.Peek(0, 4);
  const RingSlices b = buf.Peek(2, 4);
  EXPECT_EQ(b.first.data(), a.first.data() + 2) << "slices must alias the storage";
  EXPECT_TRUE(a.second.empty());
}

TEST(SendBufferTest, EmptiedRingRestartsAtItsStart) {
  SendBuffer buf(8);
  ASSERT_EQ(buf.Write(Bytes(5)), 5u);
  buf.Consume(5);
  // A full window written after the ring emptied is one contiguous slice, so a segment of it
  // is built with a single copy.
  ASSERT_EQ(buf.Write(Bytes(8, 50)), 8u);
  const RingSlices all = buf.Peek(0, 8);
  EXPECT_EQ(all.first.size(), 8u);
  EXPECT_TRUE(all.second.empty());
  EXPECT_EQ(Flatten(all), Bytes(8, 50));
}

TEST(SendBufferTest, ZeroCapacityTakesNothing) {
  SendBuffer buf(0);
  EXPECT_EQ(buf.Write(Bytes(4)), 0u);
  EXPECT_EQ(buf.Peek(0, 4).size(), 0u);
  buf.Consume(0);
  EXPECT_TRUE(buf.empty());
}

TEST(SendBufferTest, ConsumeMoreThanQueuedStopsAtTheEnd) {
  SendBuffer buf(8);
  ASSERT_EQ(buf.Write(Bytes(5)), 5u);
  buf.Consume(7);
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.free(), 8u);
}

// Every head position x every length in a small ring: the queued bytes come back intact
// through Peek (one or two slices as the range wraps), CopyOut at every offset, and Consume.
TEST(SendBufferTest, WrapsAroundAtEveryOffset) {
  constexpr size_t kCapacity = 8;
  for (size_t head = 0; head < kCapacity; ++head) {
    for (size_t len = 1; len <= kCapacity; ++len) {
      SCOPED_TRACE(testing::Message() << "head=" << head << " len=" << len);
      SendBuffer buf(kCapacity);
      // Move the ring's head to `head` by writing and acknowledging that many bytes, and
      // keep one byte queued so the head is not reset to 0 when the ring empties.
      ASSERT_EQ(buf.Write(Bytes(head + 1, 200)), head + 1);
      buf.Consume(head);
      ASSERT_EQ(buf.Write(Bytes(len - 1, 1)), len - 1);
      // Queued now: byte 200 + head, then 1, 2, ..., len - 1 -- len bytes from ring index head.
      std::vector<uint8_t> want = Bytes(len);
      want[0] = static_cast<uint8_t>(200 + head);

      const RingSlices all = buf.Peek(0, len);
      EXPECT_EQ(all.first.size(), std::min(len, kCapacity - head));
      EXPECT_EQ(all.second.size(), len - all.first.size());
      EXPECT_EQ(Flatten(all), want);

      for (size_t offset = 0; offset <= len; ++offset) {
        std::vector<uint8_t> out(kCapacity + 1, 0xee);
        const size_t copied = buf.CopyOut(offset, absl::MakeSpan(out));
        ASSERT_EQ(copied, len - offset);
        EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.begin() + copied),
                  std::vector<uint8_t>(want.begin() + offset, want.end()));
        EXPECT_EQ(out[copied], 0xee) << "CopyOut wrote past the bytes it reported";
      }

      buf.Consume(1);
      EXPECT_EQ(Flatten(buf.Peek(0, len)), std::vector<uint8_t>(want.begin() + 1, want.end()));
      EXPECT_EQ(buf.free(), kCapacity - (len - 1));
    }
  }
}

// A long stream through a small ring, with writes and acknowledgments of varying sizes, keeps
// every byte in order.
TEST(SendBufferTest, StreamThroughSmallRingKeepsOrder) {
  SendBuffer buf(13);
  uint8_t next_in = 0;
  uint8_t next_out = 0;
  for (int step = 0; step < 500; ++step) {
    const size_t want_write = (step * 7) % 11;
    std::vector<uint8_t> chunk = Bytes(want_write, next_in);
    const size_t taken = buf.Write(chunk);
    EXPECT_EQ(taken, std::min(want_write, buf.free() + taken));
    next_in = static_cast<uint8_t>(next_in + taken);

    const size_t ack = std::min<size_t>((step * 5) % 9, buf.size());
    std::vector<uint8_t> out(ack);
    ASSERT_EQ(buf.CopyOut(0, absl::MakeSpan(out)), ack);
    EXPECT_EQ(out, Bytes(ack, next_out)) << "step " << step;
    buf.Consume(ack);
    next_out = static_cast<uint8_t>(next_out + ack);
  }
}

// SetCapacity(): grow and shrink with data queued, wrapped around the ring or not.
struct ResizeCase {
  const char* name;
  size_t head_shift;  // bytes written and acknowledged first, to move the ring's head
  size_t queued;
  size_t new_capacity;
};

class SendBufferResizeTest : public testing::TestWithParam<ResizeCase> {};

TEST_P(SendBufferResizeTest, KeepsEveryQueuedByteInOrder) {
  const ResizeCase& c = GetParam();
  SendBuffer buf(100);
  ASSERT_EQ(buf.Write(Bytes(c.head_shift, 200)), c.head_shift);
  buf.Consume(c.head_shift);
  ASSERT_EQ(buf.Write(Bytes(c.queued)), c.queued);
  buf.SetCapacity(c.new_capacity);
  EXPECT_EQ(buf.capacity(), c.new_capacity);
  EXPECT_EQ(buf.size(), c.queued) << "nothing queued is dropped";
  EXPECT_EQ(Flatten(buf.Peek(0, c.queued)), Bytes(c.queued));
  EXPECT_EQ(buf.free(), c.new_capacity > c.queued ? c.new_capacity - c.queued : 0);
  // The buffer keeps working: fill what is free, drain, and check the stream.
  const size_t more = buf.free();
  ASSERT_EQ(buf.Write(Bytes(more, static_cast<uint8_t>(c.queued))), more);
  EXPECT_EQ(Flatten(buf.Peek(0, c.queued + more)), Bytes(c.queued + more));
  buf.Consume(c.queued + more);
  EXPECT_TRUE(buf.empty());
}

INSTANTIATE_TEST_SUITE_P(Resize, SendBufferResizeTest,
                         testing::Values(ResizeCase{"grow", 0, 60, 300},
                                         ResizeCase{"grow_wrapped", 70, 60, 300},
                                         ResizeCase{"shrink_above_queued", 70, 60, 80},
                                         ResizeCase{"shrink_below_queued", 70, 60, 20},
                                         ResizeCase{"shrink_empty", 30, 0, 10}),
                         [](const testing::TestParamInfo<ResizeCase>& info) {
                           return info.param.name;
                         });

TEST(SendBufferTest, ShrunkBelowQueuedTakesMoreOnlyOnceAcknowledged) {
  SendBuffer buf(100);
  ASSERT_EQ(buf.Write(Bytes(80)), 80u);
  buf.SetCapacity(50);
  EXPECT_EQ(buf.free(), 0u);
  EXPECT_EQ(buf.Write(Bytes(1)), 0u);
  buf.Consume(40);
  EXPECT_EQ(buf.free(), 10u);
  EXPECT_EQ(buf.Write(Bytes(20, 80)), 10u);
  EXPECT_EQ(Flatten(buf.Peek(0, 50)), Bytes(50, 40));
}

}  // namespace
}  // namespace tcpaas::tcp
