// Options in use: timestamps and PAWS (RFC 7323 §3-§5), MSS and segment sizes with options
// (RFC 9293 §3.7.1). ICMP errors are in icmp_test.cc.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

// --- Timestamps and PAWS ---------------------------------------------------------------------

class TimestampTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = h_.Establish(ConnectionOptions{}, SeqNum(5000),
                         SynAck().Win(65535).Mss(1460).SackOk().Ts(1000, 0));
    our_ = h_.iss() + 1;
    peer_ = SeqNum(5001);
  }
  Harness h_;
  ConnId conn_;
  SeqNum our_;
  SeqNum peer_;
};

TEST_F(TimestampTest, OurTsValTicksInMillisecondsAndEchoesTsRecent) {
  h_.Inject(Data("a").Seq(peer_).Ack(our_).Ts(1005, 0));
  h_.ExpectSent(Ack().Ack(peer_ + 1).TsEcr(1005), "quick ACK");
  h_.SendString(conn_, "x");
  const SentSegment s1 = h_.ExpectSent(Data("x").TsEcr(1005));
  h_.AdvanceTime(Duration::Millis(250));
  h_.PopSent();  // retransmission of "x"
  h_.Inject(Ack().Seq(peer_ + 1).Ack(our_ + 1).Ts(1010, s1.header.options.timestamps->val));
  h_.SendString(conn_, "y");
  const SentSegment s2 = h_.ExpectSent(Data("y").TsEcr(1010));
  EXPECT_EQ(s2.header.options.timestamps->val - s1.header.options.timestamps->val, 250u);
}

TEST_F(TimestampTest, TheClockNeverRunsBackwardsWhateverTheCallerPasses) {
  // RFC 7323 §5.4: TSvals must be monotonic. The layer keeps the latest `now` it saw.
  h_.AdvanceTime(Duration::Seconds(5));
  h_.SendString(conn_, "x");
  const uint32_t first = h_.ExpectSent(Data("x")).header.options.timestamps->val;
  const Instant older = h_.now() - Duration::Seconds(3);
  // An ACK and a write that claim an earlier time.
  const std::vector<uint8_t> ack =
      Harness::Build(Ack().Seq(peer_).Ack(our_ + 1).Ts(1001, first), kRemote.port, kLocalPort);
  ip::Ipv4PacketInfo info;
  info.src = kRemoteAddr;
  info.dst = kLocalAddr;
  info.protocol = ip::kProtoTcp;
  h_.layer().OnPacket(info, ack, older);
  EXPECT_GE(h_.Stats(conn_).srtt, Duration::Zero()) << "no negative RTT sample";
  ASSERT_TRUE(h_.layer()
                  .Send(conn_, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>("y"), 1), older)
                  .ok());
  const SentSegment y = h_.ExpectSent(Data("y"));
  EXPECT_GE(y.header.options.timestamps->val, first);
  // Timers are not pulled back either: the retransmission of "y" is an RTO after the
  // latest time seen, not after the older one.
  h_.layer().Poll(older + Duration::Millis(500));
  h_.ExpectNothingSent("the RTO counts from the latest time the layer saw");
}

TEST_F(TimestampTest, OurResetsCarryTimestamps) {
  // RFC 7323 §3.2: SHOULD be sent in a RST as well.
  h_.Inject(Data("unread").Seq(peer_).Ack(our_).Ts(1007, 0));
  h_.DropSent();
  ASSERT_TRUE(h_.layer().Close(conn_, h_.now()).ok());
  h_.ExpectSent(RstAck().Seq(our_).Ack(peer_ + 6).TsEcr(1007));
}

TEST_F(TimestampTest, PawsDropsOldTimestampsButNotResets) {
  h_.Inject(Data("new").Seq(peer_).Ack(our_).Ts(2000, 0));
  h_.AdvanceTime(Duration::Millis(40));
  h_.PopSent();
  // A segment with an older TSval (a wrapped duplicate, RFC 7323 §5) is not acceptable.
  h_.Inject(Data("old").Seq(peer_ + 3).Ack(our_).Ts(1999, 0));
  h_.ExpectSent(Ack().Ack(peer_ + 3).TsEcr(2000));
  EXPECT_EQ(h_.counters().dropped(DropReason::kTcpPaws), 1u);
  EXPECT_EQ(h_.RecvString(conn_), "new");
  // RSTs are exempt from PAWS (RFC 7323 §5.3 R1); an exact RST still resets.
  h_.Inject(Rst().Seq(peer_ + 3).Ts(1, 0));
  EXPECT_EQ(h_.State(conn_), TcpState::kClosed);
}

TEST_F(TimestampTest, PawsForgetsTsRecentAfter24DaysIdle) {
  h_.Inject(Data("a").Seq(peer_).Ack(our_).Ts(2000000000, 0));
  h_.AdvanceTime(Duration::Seconds(25 * 24 * 3600));
  h_.DropSent();
  h_.Inject(Data("b").Seq(peer_ + 1).Ack(our_).Ts(5, 0));
  EXPECT_EQ(h_.RecvString(conn_), "ab");
  EXPECT_EQ(h_.counters().dropped(DropReason::kTcpPaws), 0u);
}

TEST_F(TimestampTest, TsRecentOnlyFromSegmentsAtOrBeforeTheLastAck) {
  // RFC 7323 §4.3: an out-of-order segment's TSval is not recorded; the in-order one is.
  h_.Inject(Data("later").Seq(peer_ + 10).Ack(our_).Ts(3000, 0));
  h_.ExpectSent(Ack().Ack(peer_).TsEcr(1000));
  h_.Inject(Data("0123456789").Seq(peer_).Ack(our_).Ts(2500, 0));
  h_.ExpectSent(Ack().Ack(peer_ + 15).TsEcr(2500));
}

// --- MSS and segment sizes ----------------------------------------------------------------

struct MssCase {
  std::string name;
  std::optional<uint16_t> peer_mss;
  bool timestamps;
  uint16_t clamp;
  uint16_t our_mss;        // what our SYN announces
  size_t segment_payload;  // what a full data segment carries
};
void PrintTo(const MssCase& c, std::ostream* os) { *os << c.name; }

class MssTest : public ::testing::TestWithParam<MssCase> {};

TEST_P(MssTest, SegmentSizeIsTheMssLessOptions) {
  const MssCase& c = GetParam();
  Harness h;
  ConnectionOptions o;
  o.mss_clamp = c.clamp;
  o.no_delay = true;
  const ConnId conn = h.Connect(kRemote, o);
  h.ExpectSent(Syn().Mss(c.our_mss));
  SegmentTemplate sa = SynAck().Seq(5000).Ack(h.iss() + 1).Win(65535);
  if (c.peer_mss) sa.Mss(*c.peer_mss);
  if (c.timestamps) sa.Ts(1, 0);
  h.Inject(sa);
  h.PopSent();
  h.SendString(conn, std::string(3000, 's'));
  h.ExpectSent(Data(c.segment_payload));
  EXPECT_EQ(h.Stats(conn).snd_mss, c.segment_payload);
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, MssTest,
    ::testing::Values(MssCase{"Mss1460WithTimestamps", 1460, true, 0, 1460, 1448},
                      MssCase{"Mss1460NoTimestamps", 1460, false, 0, 1460, 1460},
                      MssCase{"PeerMss1000", 1000, true, 0, 1460, 988},
                      MssCase{"NoMssOptionMeans536", std::nullopt, false, 0, 1460, 536},
                      MssCase{"OurClamp1200", 1460, true, 1200, 1200, 1188},
                      MssCase{"PeerAbovePath", 9000, false, 0, 1460, 1460}),
    [](const ::testing::TestParamInfo<MssCase>& info) { return info.param.name; });

TEST(Mss, DerivedFromThePathMtu) {
  Harness h(TestConfig(), /*mtu=*/9000);
  h.Connect();
  h.ExpectSent(Syn().Mss(9000 - 40));
}

TEST(Mss, SackBlocksShrinkADataSegmentSoItStillFits) {
  Harness h;
  const ConnId c = h.Establish(ConnectionOptions{}, SeqNum(5000),
                               SynAck().Win(65535).Mss(1460).SackOk().Ts(1, 0));
  // Out-of-order data from the peer: our segments now carry SACK blocks.
  h.Inject(Data("zz").Seq(5010).Ack(h.iss() + 1).Ts(2, 0));
  h.PopSent();
  ASSERT_TRUE(h.layer().SetNoDelay(c, true, h.now()).ok());
  h.SendString(c, std::string(3000, 's'));
  const SentSegment s = h.ExpectSent(Data(1448 - 12));  // 12 = nop, nop, SACK header, 1 block
  EXPECT_EQ(s.header.options.sack_count, 1);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
