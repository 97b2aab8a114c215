#include "stack/tcp/recv_buffer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::tcp {
namespace {

// The stream's bytes: byte i is (i * 7 + 3) mod 251, so misplaced bytes show.
uint8_t StreamByte(size_t i) { return static_cast<uint8_t>((i * 7 + 3) % 251); }

std::vector<uint8_t> Stream(size_t from, size_t to) {
  std::vector<uint8_t> v;
  for (size_t i = from; i < to; ++i) v.push_back(StreamByte(i));
  return v;
}

std::vector<uint8_t> Flatten(const RingSlices& s) {
  std::vector<uint8_t> v(s.first.begin(), s.first.end());
  v.insert(v.end(), s.second.begin(), s.second.end());
  return v;
}

std::vector<ByteRange> OutOfOrder(const ReceiveBuffer& b) {
  return {b.out_of_order().begin(), b.out_of_order().end()};
}

// A receiver that tracks RCV.NXT as an absolute stream offset, as the connection does, and
// writes stream ranges [from, to) into the buffer.
class Receiver {
 public:
  explicit Receiver(size_t capacity) : buf_(capacity) {}

  ReceiveBuffer::WriteResult Deliver(size_t from, size_t to) {
    if (to <= rcv_nxt_) return {};    // an old duplicate: trimmed away entirely before Write()
    from = std::max(from, rcv_nxt_);  // RFC 9293 §3.10.7.4: trim what was already received
    const std::vector<uint8_t> data = Stream(from, to);
    const ReceiveBuffer::WriteResult r = buf_.Write(from - rcv_nxt_, data);
    rcv_nxt_ += r.advanced;
    return r;
  }
  std::vector<uint8_t> ReadAll() {
    std::vector<uint8_t> out(buf_.readable());
    EXPECT_EQ(buf_.Read(absl::MakeSpan(out)), out.size());
    return out;
  }
  // Moves the ring's head to `n` by receiving and reading n bytes of filler first.
  void ShiftRing(size_t n) {
    std::vector<uint8_t> filler(n, 0xaa);
    ASSERT_EQ(buf_.Write(0, filler).advanced, n);
    std::vector<uint8_t> out(n);
    ASSERT_EQ(buf_.Read(absl::MakeSpan(out)), n);
  }

  ReceiveBuffer& buf() { return buf_; }
  size_t rcv_nxt() const { return rcv_nxt_; }

 private:
  ReceiveBuffer buf_;
  size_t rcv_nxt_ = 0;
};

TEST(ReceiveBufferTest, StartsEmptyWithoutStorage) {
  ReceiveBuffer buf(100);
  EXPECT_EQ(buf.capacity(), 100u);
  EXPECT_EQ(buf.readable(), 0u);
  EXPECT_EQ(buf.window(), 100u);
  EXPECT_FALSE(buf.allocated());
  EXPECT_FALSE(buf.has_out_of_order());
  EXPECT_EQ(buf.Peek().size(), 0u);
}

TEST(ReceiveBufferTest, InOrderDataIsReadable) {
  Receiver r(100);
  const ReceiveBuffer::WriteResult w = r.Deliver(0, 30);
  EXPECT_EQ(w.advanced, 30u);
  EXPECT_TRUE(w.stored);
  EXPECT_EQ(r.buf().readable(), 30u);
  EXPECT_EQ(r.buf().window(), 70u);
  EXPECT_EQ(Flatten(r.buf().Peek()), Stream(0, 30));
  EXPECT_EQ(r.ReadAll(), Stream(0, 30));
  EXPECT_EQ(r.buf().window(), 100u);
}

TEST(ReceiveBufferTest, AllocatesLazilyAndReleasesOnlyWhenNothingIsHeld) {
  ReceiveBuffer buf(64);
  EXPECT_EQ(buf.Write(0, {}).advanced, 0u);
  EXPECT_FALSE(buf.allocated()) << "an empty write must not allocate";
  const std::vector<uint8_t> data = Stream(0, 8);
  ASSERT_EQ(buf.Write(0, data).advanced, 8u);
  EXPECT_TRUE(buf.allocated());
  buf.ReleaseIfEmpty();
  EXPECT_TRUE(buf.allocated()) << "released with readable bytes";
  buf.Discard(8);
  ASSERT_EQ(buf.Write(10, data).advanced, 0u);  // out of order only
  buf.ReleaseIfEmpty();
  EXPECT_TRUE(buf.allocated()) << "released with out-of-order bytes";
  std::vector<uint8_t> gap(10, 1);
  ASSERT_EQ(buf.Write(0, gap).advanced, 18u);
  buf.Discard(18);
  buf.ReleaseIfEmpty();
  EXPECT_FALSE(buf.allocated());
  EXPECT_EQ(buf.window(), 64u);
  // Usable again.
  ASSERT_EQ(buf.Write(0, data).advanced, 8u);
  EXPECT_EQ(Flatten(buf.Peek()), data);
}

TEST(ReceiveBufferTest, InOrderDataBeyondTheWindowIsCut) {
  Receiver r(16);
  const ReceiveBuffer::WriteResult w = r.Deliver(0, 20);
  EXPECT_EQ(w.advanced, 16u);
  EXPECT_EQ(r.buf().window(), 0u);
  EXPECT_EQ(r.Deliver(16, 30).advanced, 0u) << "a closed window takes nothing";
  EXPECT_EQ(r.ReadAll(), Stream(0, 16));
}

TEST(ReceiveBufferTest, OutOfOrderDataBeyondTheWindowIsCut) {
  Receiver r(16);
  ReceiveBuffer::WriteResult w = r.Deliver(10, 30);
  EXPECT_EQ(w.advanced, 0u);
  EXPECT_TRUE(w.stored);
  EXPECT_EQ(OutOfOrder(r.buf()), (std::vector<ByteRange>{{10, 16}}));
  w = r.Deliver(16, 20);  // starts at the window's end: nothing stored
  EXPECT_EQ(w.advanced, 0u);
  EXPECT_EQ(OutOfOrder(r.buf()), (std::vector<ByteRange>{{10, 16}}));
  w = r.Deliver(0, 10);
  EXPECT_EQ(w.advanced, 16u);
  EXPECT_EQ(r.ReadAll(), Stream(0, 16));
  EXPECT_FALSE(r.buf().has_out_of_order());
}

TEST(ReceiveBufferTest, ReadingFreesWindowForMoreData) {
  Receiver r(10);
  ASSERT_EQ(r.Deliver(0, 10).advanced, 10u);
  EXPECT_EQ(r.buf().window(), 0u);
  std::vector<uint8_t> out(4);
  ASSERT_EQ(r.buf().Read(absl::MakeSpan(out)), 4u);
  EXPECT_EQ(out, Stream(0, 4));
  EXPECT_EQ(r.buf().window(), 4u);
  // The freed room takes exactly 4 more bytes, wrapping around the ring's end.
  EXPECT_EQ(r.Deliver(10, 20).advanced, 4u);
  EXPECT_EQ(Flatten(r.buf().Peek()), Stream(4, 14));
  const RingSlices slices = r.buf().Peek();
  EXPECT_EQ(slices.first.size(), 6u);
  EXPECT_EQ(slices.second.size(), 4u);
  r.buf().Discard(3);
  EXPECT_EQ(r.buf().window(), 3u);
  EXPECT_EQ(r.ReadAll(), Stream(7, 14));
}

TEST(ReceiveBufferTest, EmptiedRingRestartsAtItsStart) {
  Receiver r(8);
  ASSERT_EQ(r.Deliver(0, 5).advanced, 5u);
  EXPECT_EQ(r.ReadAll(), Stream(0, 5));
  ASSERT_EQ(r.Deliver(5, 13).advanced, 8u);
  const RingSlices all = r.buf().Peek();
  EXPECT_EQ(all.first.size(), 8u) << "the user reads a full buffer in one piece";
  EXPECT_TRUE(all.second.empty());
  EXPECT_EQ(r.ReadAll(), Stream(5, 13));
}

TEST(ReceiveBufferTest, ReadIntoSmallBufferTakesPart) {
  Receiver r(32);
  ASSERT_EQ(r.Deliver(0, 20).advanced, 20u);
  std::vector<uint8_t> out(8);
  EXPECT_EQ(r.buf().Read(absl::MakeSpan(out)), 8u);
  EXPECT_EQ(out, Stream(0, 8));
  EXPECT_EQ(r.buf().readable(), 12u);
  std::vector<uint8_t> big(100);
  EXPECT_EQ(r.buf().Read(absl::MakeSpan(big)), 12u);
  EXPECT_EQ(std::vector<uint8_t>(big.begin(), big.begin() + 12), Stream(8, 20));
}

TEST(ReceiveBufferTest, OutOfOrderDataSurvivesReadsOfEarlierData) {
  Receiver r(20);
  ASSERT_EQ(r.Deliver(0, 10).advanced, 10u);
  ASSERT_EQ(r.Deliver(15, 20).advanced, 0u);  // window was 10: offset 5..10
  EXPECT_EQ(r.ReadAll(), Stream(0, 10));      // window grows to 20, offsets stay
  ASSERT_EQ(r.Deliver(20, 30).advanced, 0u);  // wraps in the ring, adjacent to [15,20)
  EXPECT_EQ(OutOfOrder(r.buf()), (std::vector<ByteRange>{{5, 20}}));
  EXPECT_EQ(r.Deliver(10, 15).advanced, 20u);
  EXPECT_EQ(r.ReadAll(), Stream(10, 30));
}

// The range limit: kMaxRanges disjoint out-of-order segments are kept; one more disjoint one
// is not stored, and nothing else changes.
TEST(ReceiveBufferTest, RangeLimitRefusesOneMoreSegment) {
  Receiver r(1000);
  for (size_t i = 0; i < Assembler::kMaxRanges; ++i) {
    const ReceiveBuffer::WriteResult w = r.Deliver(10 * i + 5, 10 * i + 10);
    ASSERT_TRUE(w.stored);
    ASSERT_EQ(w.advanced, 0u);
  }
  const std::vector<ByteRange> before = OutOfOrder(r.buf());
  ASSERT_EQ(before.size(), Assembler::kMaxRanges);

  const ReceiveBuffer::WriteResult w = r.Deliver(900, 910);
  EXPECT_FALSE(w.stored);
  EXPECT_EQ(w.advanced, 0u);
  EXPECT_EQ(OutOfOrder(r.buf()), before);
  EXPECT_EQ(r.buf().readable(), 0u);
  EXPECT_EQ(r.buf().window(), 1000u);

  // In-order data needs no range: it is still taken, and fills up to the first held range.
  const ReceiveBuffer::WriteResult in_order = r.Deliver(0, 5);
  EXPECT_TRUE(in_order.stored);
  EXPECT_EQ(in_order.advanced, 10u);
  // Now there is room for a range again.
  EXPECT_TRUE(r.Deliver(900, 910).stored);
  for (size_t i = 1; i < Assembler::kMaxRanges; ++i) r.Deliver(10 * i, 10 * i + 5);
  EXPECT_EQ(r.rcv_nxt(), 10 * Assembler::kMaxRanges);
  EXPECT_EQ(r.ReadAll(), Stream(0, 10 * Assembler::kMaxRanges));
}

// A segment of every overlap shape against held data [10, 20) (and [30, 40)); then the gaps
// are filled and the whole stream must read back intact.
struct OverlapCase {
  const char* shape;
  size_t from;
  size_t to;
  size_t advanced;              // how far RCV.NXT moves on this segment
  std::vector<ByteRange> held;  // out-of-order ranges afterwards, from RCV.NXT
};

class ReceiveBufferOverlapTest : public testing::TestWithParam<OverlapCase> {};

TEST_P(ReceiveBufferOverlapTest, KeepsOneCopyOfEveryByte) {
  const OverlapCase& c = GetParam();
  for (size_t shift : {0, 37, 55}) {  // also with the ring wrapping under the held data
    SCOPED_TRACE(testing::Message() << "ring shifted by " << shift);
    Receiver r(64);
    r.ShiftRing(shift);
    ASSERT_EQ(r.Deliver(10, 20).advanced, 0u);
    ASSERT_EQ(r.Deliver(30, 40).advanced, 0u);
    const ReceiveBuffer::WriteResult w = r.Deliver(c.from, c.to);
    EXPECT_TRUE(w.stored);
    EXPECT_EQ(w.advanced, c.advanced);
    EXPECT_EQ(OutOfOrder(r.buf()), c.held);
    // Fill every gap, in order.
    r.Deliver(0, 50);
    EXPECT_EQ(r.rcv_nxt(), 50u);
    EXPECT_FALSE(r.buf().has_out_of_order());
    EXPECT_EQ(r.ReadAll(), Stream(0, 50));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ReceiveBufferOverlapTest,
    testing::Values(OverlapCase{"identical", 10, 20, 0, {{10, 20}, {30, 40}}},
                    OverlapCase{"contained", 12, 17, 0, {{10, 20}, {30, 40}}},
                    OverlapCase{"containing", 5, 25, 0, {{5, 25}, {30, 40}}},
                    OverlapCase{"left_overlap", 5, 15, 0, {{5, 20}, {30, 40}}},
                    OverlapCase{"right_overlap", 15, 25, 0, {{10, 25}, {30, 40}}},
                    OverlapCase{"adjacent_left", 5, 10, 0, {{5, 20}, {30, 40}}},
                    OverlapCase{"adjacent_right", 20, 25, 0, {{10, 25}, {30, 40}}},
                    OverlapCase{"bridges_both", 15, 35, 0, {{10, 40}}},
                    OverlapCase{"disjoint_between", 22, 27, 0, {{10, 20}, {22, 27}, {30, 40}}},
                    OverlapCase{"in_order_adjacent", 0, 10, 20, {{10, 20}}},
                    OverlapCase{"in_order_overlapping", 0, 15, 20, {{10, 20}}},
                    OverlapCase{"in_order_containing", 0, 25, 25, {{5, 15}}},
                    OverlapCase{"in_order_reaching_both", 0, 30, 40, {}},
                    OverlapCase{"in_order_short", 0, 4, 4, {{6, 16}, {26, 36}}}),
    [](const testing::TestParamInfo<OverlapCase>& info) { return info.param.shape; });

// All 120 orders of 5 segments deliver the same bytes, RCV.NXT reaches the end exactly, and
// it moves only when the lowest missing segment arrives (once per such arrival). Run with
// disjoint segments and with segments that overlap their neighbours, and with the ring's head
// at several positions so the data wraps.
struct OrdersCase {
  const char* name;
  std::array<std::pair<size_t, size_t>, 5> segments;  // [from, to) in stream offsets
};

class ReceiveBufferOrdersTest : public testing::TestWithParam<OrdersCase> {};

TEST_P(ReceiveBufferOrdersTest, EveryOrderDeliversTheSameBytes) {
  const auto& segments = GetParam().segments;
  size_t total = 0;
  for (const auto& [from, to] : segments) total = std::max(total, to);
  std::array<int, 5> order = {0, 1, 2, 3, 4};
  int orders = 0;
  do {
    for (size_t shift : {0, 13, 29}) {
      SCOPED_TRACE(testing::Message() << "order " << order[0] << order[1] << order[2] << order[3]
                                      << order[4] << " shift " << shift);
      Receiver r(40);
      r.ShiftRing(shift);
      size_t advanced_total = 0;
      for (int seg : order) {
        const size_t before = r.rcv_nxt();
        const ReceiveBuffer::WriteResult w = r.Deliver(segments[seg].first, segments[seg].second);
        ASSERT_TRUE(w.stored);
        advanced_total += w.advanced;
        // RCV.NXT moves iff this segment covers the old RCV.NXT.
        const bool covers = segments[seg].first <= before && before < segments[seg].second;
        EXPECT_EQ(w.advanced > 0, covers) << "segment " << seg;
      }
      EXPECT_EQ(advanced_total, total);
      EXPECT_EQ(r.rcv_nxt(), total);
      EXPECT_FALSE(r.buf().has_out_of_order());
      EXPECT_EQ(r.ReadAll(), Stream(0, total));
    }
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(orders, 120);
}

INSTANTIATE_TEST_SUITE_P(
    Segments, ReceiveBufferOrdersTest,
    testing::Values(
        OrdersCase{"disjoint", {{{0, 3}, {3, 8}, {8, 9}, {9, 16}, {16, 20}}}},
        OrdersCase{"overlapping", {{{0, 5}, {3, 10}, {8, 12}, {11, 18}, {15, 24}}}},
        OrdersCase{"duplicates_and_contained", {{{0, 6}, {6, 14}, {8, 12}, {6, 14}, {14, 22}}}},
        OrdersCase{"fills_the_window", {{{0, 8}, {8, 16}, {16, 24}, {24, 32}, {32, 40}}}}),
    [](const testing::TestParamInfo<OrdersCase>& info) { return info.param.name; });

// Random segments (overlapping, duplicated, beyond the window, out of order) and random reads
// against a simple model: a flag per stream byte. Deterministic per seed; the seed is printed
// on failure.
class ReceiveBufferModel {
 public:
  ReceiveBufferModel(size_t capacity, size_t stream_len)
      : capacity_(capacity), have_(stream_len, false) {}

  size_t rcv_nxt() const { return rcv_nxt_; }
  size_t window() const { return capacity_ - (rcv_nxt_ - read_); }

  // The out-of-order ranges, relative to RCV.NXT, if [from, to) were also held.
  std::vector<ByteRange> RangesWith(size_t from, size_t to) const {
    std::vector<ByteRange> ranges;
    const size_t end = std::min(have_.size(), rcv_nxt_ + window());  // nothing held past it
    for (size_t i = rcv_nxt_; i < end; ++i) {
      if (!have_[i] && !(from <= i && i < to)) continue;
      if (!ranges.empty() && ranges.back().end == i - rcv_nxt_) {
        ++ranges.back().end;
      } else {
        ranges.push_back({i - rcv_nxt_, i - rcv_nxt_ + 1});
      }
    }
    return ranges;
  }

  // What Write() must report for stream bytes [from, to), with from >= RCV.NXT.
  ReceiveBuffer::WriteResult Deliver(size_t from, size_t to) {
    ReceiveBuffer::WriteResult want;
    to = std::min(to, rcv_nxt_ + window());
    if (from >= to) return want;
    if (from > rcv_nxt_ && RangesWith(from, to).size() > Assembler::kMaxRanges) {
      want.stored = false;
      return want;
    }
    for (size_t i = from; i < to; ++i) have_[i] = true;
    const size_t before = rcv_nxt_;
    while (rcv_nxt_ < have_.size() && have_[rcv_nxt_]) ++rcv_nxt_;
    want.advanced = rcv_nxt_ - before;
    return want;
  }
  void Read(size_t n) { read_ += n; }
  size_t read() const { return read_; }

 private:
  size_t capacity_;
  std::vector<bool> have_;
  size_t rcv_nxt_ = 0;
  size_t read_ = 0;
};

TEST(ReceiveBufferTest, RandomSegmentsMatchTheModel) {
  constexpr size_t kStreamLen = 2000;
  size_t refused = 0;    // segments not stored for the range limit, over all seeds
  size_t completed = 0;  // seeds whose whole stream arrived
  for (uint32_t seed = 1; seed <= 100; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    std::mt19937 rng(seed);
    auto uniform = [&rng](size_t lo, size_t hi) {  // inclusive
      return std::uniform_int_distribution<size_t>(lo, hi)(rng);
    };
    // Odd seeds: tiny segments scattered over a wide window, so the range limit is hit.
    // Even seeds: larger segments in a small window, often in order, so the ring wraps a lot.
    const bool scattered = seed % 2 == 1;
    const size_t capacity = scattered ? 600 : 200;
    const size_t max_len = scattered ? 4 : 60;
    const size_t in_order_one_in = scattered ? 20 : 4;
    ReceiveBuffer buf(capacity);
    ReceiveBufferModel model(capacity, kStreamLen);
    for (int step = 0; step < 1500 && model.rcv_nxt() < kStreamLen; ++step) {
      if (uniform(0, 3) == 0) {
        std::vector<uint8_t> out(uniform(0, capacity));
        const size_t n = buf.Read(absl::MakeSpan(out));
        ASSERT_EQ(n, std::min(out.size(), model.rcv_nxt() - model.read()));
        out.resize(n);
        ASSERT_EQ(out, Stream(model.read(), model.read() + n));
        model.Read(n);
      } else {
        // A segment at RCV.NXT, or anywhere up to a little past the window.
        const size_t from =
            model.rcv_nxt() +
            (uniform(1, in_order_one_in) == 1 ? 0 : uniform(0, model.window() + 20));
        const size_t to = std::min(from + uniform(1, max_len), kStreamLen);
        if (from >= to) continue;
        const std::vector<uint8_t> data = Stream(from, to);
        const ReceiveBuffer::WriteResult got = buf.Write(from - model.rcv_nxt(), data);
        const ReceiveBuffer::WriteResult want = model.Deliver(from, to);
        ASSERT_EQ(got.advanced, want.advanced) << "segment [" << from << ", " << to << ")";
        ASSERT_EQ(got.stored, want.stored) << "segment [" << from << ", " << to << ")";
        refused += got.stored ? 0 : 1;
      }
      ASSERT_EQ(buf.readable(), model.rcv_nxt() - model.read());
      ASSERT_EQ(buf.window(), model.window());
      ASSERT_EQ(OutOfOrder(buf), model.RangesWith(0, 0));
    }
    // Everything readable is the stream, in order.
    std::vector<uint8_t> rest(buf.readable());
    ASSERT_EQ(buf.Read(absl::MakeSpan(rest)), rest.size());
    EXPECT_EQ(rest, Stream(model.read(), model.rcv_nxt()));
    completed += model.rcv_nxt() == kStreamLen ? 1 : 0;
  }
  // The run must have exercised the range limit and carried streams to their end.
  EXPECT_GT(refused, 0u);
  EXPECT_GT(completed, 0u);
}

// SetCapacity(): the window follows the capacity, while data held and a promised window
// are never lost, whether the ring wraps or not.
class ReceiveBufferResizeTest : public ::testing::TestWithParam<size_t /*ring head*/> {};

TEST_P(ReceiveBufferResizeTest, GrowingKeepsInOrderAndOutOfOrderData) {
  Receiver r(100);
  r.ShiftRing(GetParam());
  const size_t base = r.rcv_nxt();
  ASSERT_EQ(r.Deliver(base, base + 30).advanced, 30u);
  r.Deliver(base + 50, base + 70);  // out of order
  r.buf().SetCapacity(300, r.buf().readable() + r.buf().window());
  EXPECT_EQ(r.buf().capacity(), 300u);
  EXPECT_EQ(r.buf().window(), 270u);
  EXPECT_EQ(r.Deliver(base + 30, base + 50).advanced, 40u) << "fills the gap";
  r.Deliver(base + 70, base + 200);
  EXPECT_EQ(r.ReadAll(), Stream(base, base + 200));
}

TEST_P(ReceiveBufferResizeTest, ShrinkingHonoursThePromisedWindowThenFollowsTheCapacity) {
  Receiver r(100);
  r.ShiftRing(GetParam());
  const size_t base = r.rcv_nxt();
  ASSERT_EQ(r.Deliver(base, base + 30).advanced, 30u);
  // We had advertised all 100 bytes; shrink to 40.
  r.buf().SetCapacity(40, 100);
  EXPECT_EQ(r.buf().window(), 10u) << "what may be advertised from now on";
  EXPECT_EQ(r.Deliver(base + 30, base + 100).advanced, 70u) << "the promise is kept";
  EXPECT_EQ(r.ReadAll(), Stream(base, base + 100));
  EXPECT_EQ(r.buf().window(), 40u);
  // Once the caller advertised within the new capacity, storage needs no more.
  r.buf().LowerReserve(40);
  r.buf().ReleaseIfEmpty();
  EXPECT_EQ(r.Deliver(base + 100, base + 200).advanced, 40u) << "only 40 fit now";
  EXPECT_EQ(r.ReadAll(), Stream(base + 100, base + 140));
}

INSTANTIATE_TEST_SUITE_P(RingHeads, ReceiveBufferResizeTest, ::testing::Values(0, 50, 95));

}  // namespace
}  // namespace tcpaas::tcp
