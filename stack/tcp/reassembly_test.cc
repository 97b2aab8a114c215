// Out-of-order data through a connection: immediate duplicate ACKs with SACK blocks
// (RFC 5681 §4.2, RFC 2018 §4), in-order delivery once holes fill, FINs out of order, data
// beyond the window.
#include <algorithm>
#include <array>
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/assembler.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

// Five 100-byte segments, 'A'..'E', starting at RCV.NXT.
std::string SegmentBytes(int i) { return std::string(100, static_cast<char>('A' + i)); }

class ReassemblyTest : public ::testing::Test {
 protected:
  void SetUp() override { r_ = ReachState(h_, TcpState::kEstablished, Options()); }
  virtual ConnectionOptions Options() { return {}; }
  void Send(int i, bool fin = false) {
    SegmentTemplate t = fin ? FinAck() : Ack();
    h_.Inject(t.Payload(SegmentBytes(i)).Seq(r_.peer_nxt + 100 * i).Ack(r_.our_nxt).Win(65535));
  }
  SeqNum At(int bytes) const { return r_.peer_nxt + static_cast<uint32_t>(bytes); }

  Harness h_;
  Reached r_;
};

TEST_F(ReassemblyTest, OutOfOrderSegmentsGetSackedDupAcksAndDeliverInOrder) {
  Send(0);
  h_.ExpectSent(Ack().Ack(At(100)).NoSack(), "the first data gets a quick ACK");
  Send(2);
  h_.ExpectSent(Ack().Ack(At(100)).Sack(At(200), At(300)), "immediate dup ACK");
  Send(4);
  h_.ExpectSent(Ack().Ack(At(100)).Sack(At(400), At(500)).Sack(At(200), At(300)),
                "newest block first");
  EXPECT_EQ(h_.layer().RecvAvailable(r_.conn), 100u);
  Send(1);
  h_.ExpectSent(Ack().Ack(At(300)).Sack(At(400), At(500)), "a segment filling a hole");
  Send(3);
  h_.ExpectSent(Ack().Ack(At(500)).NoSack(), "the last hole");
  EXPECT_EQ(h_.RecvString(r_.conn), SegmentBytes(0) + SegmentBytes(1) + SegmentBytes(2) +
                                        SegmentBytes(3) + SegmentBytes(4));
  EXPECT_EQ(h_.Stats(r_.conn).bytes_received, 500u);
}

TEST_F(ReassemblyTest, SackBlocksMergeAndRepeatTheMostRecent) {
  // Holes at 0, 2, 4, 6: blocks at 1, 3, 5, 7.
  for (int i : {1, 3, 5, 7}) {
    h_.Inject(Data(std::string(100, 'x')).Seq(At(100 * i)).Ack(r_.our_nxt));
    h_.PopSent();
  }
  // No timestamps were negotiated (the peer sent none): 4 blocks fit, newest first.
  // A duplicate of block 3: RFC 2883 §4 reports it as a D-SACK block first, then the
  // block holding it, then the most recent others.
  h_.Inject(Data(std::string(100, 'x')).Seq(At(100 * 3)).Ack(r_.our_nxt));
  h_.ExpectSent(Ack()
                    .Ack(At(0))
                    .Sack(At(300), At(400))
                    .Sack(At(300), At(400))
                    .Sack(At(700), At(800))
                    .Sack(At(500), At(600)));
  // Filling 2 merges [100,200) and [300,400) into one block, reported first.
  h_.Inject(Data(std::string(100, 'x')).Seq(At(200)).Ack(r_.our_nxt));
  h_.ExpectSent(
      Ack().Ack(At(0)).Sack(At(100), At(400)).Sack(At(700), At(800)).Sack(At(500), At(600)));
}

TEST(ReassemblyWithTimestamps, AtMostThreeSackBlocksBesideTimestamps) {
  Harness h;
  const ConnId c = h.Establish();  // the default SYN-ACK has TS and SACK-permitted
  const SeqNum base = h.peer_iss() + 1;
  for (int i : {1, 3, 5, 7}) {
    h.Inject(Data(std::string(10, 'x')).Seq(base + 10 * i).Ack(h.iss() + 1).Ts(5, 0));
  }
  SentSegment last;
  while (auto s = h.PopSent()) last = *s;
  EXPECT_EQ(last.header.options.sack_count, 3);
  EXPECT_TRUE(last.header.options.timestamps.has_value());
  EXPECT_EQ(last.header.options.sack_blocks[0].left, base + 70);
  EXPECT_EQ(h.layer().RecvAvailable(c), 0u);
}

TEST_F(ReassemblyTest, FinOutOfOrderIsHeldUntilTheDataBeforeItArrives) {
  Send(1, /*fin=*/true);
  h_.ExpectSent(Ack().Ack(At(0)).Sack(At(100), At(200)));
  EXPECT_EQ(h_.State(r_.conn), TcpState::kEstablished);
  Send(0);
  h_.ExpectSent(Ack().Ack(At(201)));  // both segments and the FIN
  EXPECT_EQ(h_.State(r_.conn), TcpState::kCloseWait);
  EXPECT_TRUE(h_.events().Has(TcpEventType::kPeerFin, r_.conn));
  bool eof = false;
  EXPECT_EQ(h_.RecvString(r_.conn, 1000, &eof), SegmentBytes(0) + SegmentBytes(1));
  EXPECT_TRUE(eof);
}

TEST_F(ReassemblyTest, DuplicateAndOverlappingSegmentsAreTrimmed) {
  h_.Inject(Data("abcdef").Seq(At(0)).Ack(r_.our_nxt));
  h_.Inject(Data("abc").Seq(At(0)).Ack(r_.our_nxt));  // old: acknowledged again at once
  h_.ExpectSent(Ack().Ack(At(6)));
  h_.Inject(Data("efghij").Seq(At(4)).Ack(r_.our_nxt));  // overlaps the front
  EXPECT_EQ(h_.RecvString(r_.conn), "abcdefghij");
  EXPECT_EQ(h_.Stats(r_.conn).bytes_received, 10u);
}

class SmallBufferTest : public ReassemblyTest {
 protected:
  ConnectionOptions Options() override {
    ConnectionOptions o;
    o.recv_buffer_bytes = 1000;
    return o;
  }
};

TEST_F(SmallBufferTest, DataBeyondTheWindowIsCutAndAcknowledgedWithTheWindow) {
  // Our SYN offered 1000 bytes; 1500 arrive.
  h_.Inject(Data(std::string(1500, 'z')).Seq(At(0)).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(At(1000)).Win(0));
  EXPECT_EQ(h_.counters().dropped(DropReason::kTcpRcvBufferFull), 1u);
  EXPECT_EQ(h_.layer().RecvAvailable(r_.conn), 1000u);
  // Out-of-order data is never held beyond the window either.
  h_.Inject(Data("late").Seq(At(1200)).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(At(1000)).Win(0).NoSack());
  EXPECT_EQ(h_.RecvString(r_.conn).size(), 1000u);
}

TEST_F(ReassemblyTest, OutOfOrderIslandsBeyondTheRangeLimitAreCountedAsSuch) {
  // Islands of one byte with a gap before each: the assembler tracks kMaxRanges of them.
  for (size_t i = 0; i < Assembler::kMaxRanges; ++i) {
    h_.Inject(Data("x").Seq(At(static_cast<int>(2 * i + 1))).Ack(r_.our_nxt));
  }
  h_.DropSent();
  EXPECT_EQ(h_.counters().dropped(DropReason::kTcpOutOfOrderFull), 0u);
  // One island more has no range to go to: the peer must retransmit it.
  h_.Inject(Data("y").Seq(At(static_cast<int>(2 * Assembler::kMaxRanges + 1))).Ack(r_.our_nxt));
  EXPECT_EQ(h_.counters().dropped(DropReason::kTcpOutOfOrderFull), 1u);
  EXPECT_EQ(h_.counters().dropped(DropReason::kTcpRcvBufferFull), 0u)
      << "the buffer had room; only the range table was full";
  // Filling the holes delivers every island that was kept, and nothing of the refused one.
  for (size_t i = 0; i < Assembler::kMaxRanges; ++i) {
    h_.Inject(Data("-").Seq(At(static_cast<int>(2 * i))).Ack(r_.our_nxt));
  }
  EXPECT_EQ(h_.layer().RecvAvailable(r_.conn), 2 * Assembler::kMaxRanges);
}

// Every order of five segments delivers the same bytes and ends with one cumulative ACK.
class AllOrdersTest : public ::testing::TestWithParam<int> {};

TEST_P(AllOrdersTest, DeliversTheSameBytes) {
  std::array<int, 5> order = {0, 1, 2, 3, 4};
  for (int i = 0; i < GetParam(); ++i) std::next_permutation(order.begin(), order.end());
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  for (int i : order) {
    h.Inject(Ack().Payload(SegmentBytes(i)).Seq(r.peer_nxt + 100 * i).Ack(r.our_nxt).Win(65535));
  }
  h.AdvanceTime(Duration::Millis(40));
  std::optional<SentSegment> last;
  while (auto s = h.PopSent()) last = s;
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->ack(), r.peer_nxt + 500);
  EXPECT_EQ(last->header.options.sack_count, 0);
  EXPECT_EQ(h.RecvString(r.conn), SegmentBytes(0) + SegmentBytes(1) + SegmentBytes(2) +
                                      SegmentBytes(3) + SegmentBytes(4));
}

INSTANTIATE_TEST_SUITE_P(Permutations, AllOrdersTest, ::testing::Range(0, 120));

}  // namespace
}  // namespace tcpaas::tcp::testing
