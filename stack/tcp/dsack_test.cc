// D-SACK generation (RFC 2883 §4): a receiver that gets data a second time reports the
// duplicate in the first SACK block of its next ACK, once; for a duplicate of out-of-order
// data the block holding it follows. Without SACK negotiated nothing is reported.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

class DsackTest : public ::testing::Test {
 protected:
  void SetUp() override { r_ = ReachState(h_, TcpState::kEstablished); }
  // 100 bytes at peer offset `at`.
  void Send(int at) {
    h_.Inject(Data(std::string(100, 'd')).Seq(At(at)).Ack(r_.our_nxt).Win(65535));
  }
  SeqNum At(int bytes) const { return r_.peer_nxt + static_cast<uint32_t>(bytes); }

  Harness h_;
  Reached r_;
};

TEST_F(DsackTest, DataBelowRcvNxtIsReportedOnceAsADsack) {
  Send(0);
  h_.ExpectSent(Ack().Ack(At(100)).NoSack(), "the first data");
  Send(0);  // our ACK was lost; the peer retransmits
  h_.ExpectSent(Ack().Ack(At(100)).Sack(At(0), At(100)), "RFC 2883 §4 (1): the duplicate");
  EXPECT_EQ(h_.Stats(r_.conn).dsacks_sent, 1u);
  Send(100);
  h_.ExpectSent(Ack().Ack(At(200)).NoSack(), "reported once only");
  EXPECT_EQ(h_.RecvString(r_.conn).size(), 200u);
}

TEST_F(DsackTest, APartlyOldSegmentReportsItsOldPart) {
  Send(0);
  h_.PopSent();
  // 100 old bytes and 100 new ones.
  h_.Inject(Data(std::string(200, 'd')).Seq(At(0)).Ack(r_.our_nxt).Win(65535));
  h_.ExpectSent(Ack().Ack(At(200)).Sack(At(0), At(100)), "the old part");
  EXPECT_EQ(h_.Stats(r_.conn).bytes_received, 200u);
}

TEST_F(DsackTest, ADuplicateOfHeldOutOfOrderDataComesFirstThenItsBlock) {
  Send(0);
  h_.PopSent();
  Send(200);
  Send(300);
  h_.PopSent();
  h_.PopSent();
  Send(200);  // a copy of what we hold past the hole at 100
  h_.ExpectSent(Ack().Ack(At(100)).Sack(At(200), At(300)).Sack(At(200), At(400)),
                "RFC 2883 §4 (2): the duplicate, then the block holding it");
  Send(100);
  h_.ExpectSent(Ack().Ack(At(400)).NoSack(), "the hole filled; nothing left to report");
}

TEST(DsackWithoutSack, NothingIsReported) {
  Harness h;
  const ConnId c = h.Establish({}, SeqNum(5000), SynAck().Win(65535).Mss(1000));
  const SeqNum base(5001);
  h.Inject(Data(std::string(100, 'd')).Seq(base).Ack(h.iss() + 1));
  h.PopSent();
  h.Inject(Data(std::string(100, 'd')).Seq(base).Ack(h.iss() + 1));
  h.ExpectSent(Ack().Ack(base + 100).NoSack(), "no SACK, no D-SACK (RFC 2883 §4)");
  EXPECT_EQ(h.Stats(c).dsacks_sent, 0u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
