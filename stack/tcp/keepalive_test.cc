// Keepalive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6): probes after the idle time, then every
// interval; the peer is declared dead after the configured number of unanswered probes.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

class KeepaliveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ConnectionOptions o;
    o.keepalive = true;
    o.keepalive_idle = Duration::Seconds(10);
    o.keepalive_interval = Duration::Seconds(2);
    o.keepalive_probes = 3;
    r_ = ReachState(h_, TcpState::kEstablished, o);
  }
  SegmentTemplate Probe() { return Ack().Seq(r_.our_nxt - 1).Ack(r_.peer_nxt).Len(0); }

  Harness h_;
  Reached r_;
};

TEST_F(KeepaliveTest, ProbesAtIdleThenEveryIntervalThenReset) {
  h_.AdvanceTime(Duration::Seconds(10) - Duration::Millis(1));
  h_.ExpectNothingSent();
  h_.AdvanceTime(Duration::Millis(1));
  h_.ExpectSent(Probe(), "after the idle time");
  h_.AdvanceTime(Duration::Seconds(2));
  h_.ExpectSent(Probe(), "after one interval");
  h_.AdvanceTime(Duration::Seconds(2));
  h_.ExpectSent(Probe(), "third probe");
  EXPECT_EQ(h_.counters().tcp_keepalive_probes, 3u);
  h_.AdvanceTime(Duration::Seconds(2));
  h_.ExpectSent(RstAck().Seq(r_.our_nxt), "the peer is dead");
  EXPECT_EQ(h_.State(r_.conn), TcpState::kClosed);
  EXPECT_EQ(h_.Stats(r_.conn).close_reason, CloseReason::kKeepaliveTimeout);
}

TEST_F(KeepaliveTest, AnAnsweredProbeStartsTheIdleTimeAgain) {
  h_.AdvanceTime(Duration::Seconds(10));
  h_.ExpectSent(Probe());
  h_.AdvanceTime(Duration::Seconds(1));
  h_.Inject(Ack().Seq(r_.peer_nxt).Ack(r_.our_nxt).Win(65535));
  h_.AdvanceTime(Duration::Seconds(10) - Duration::Millis(1));
  h_.ExpectNothingSent();
  h_.AdvanceTime(Duration::Millis(1));
  h_.ExpectSent(Probe());
  EXPECT_EQ(h_.State(r_.conn), TcpState::kEstablished);
}

TEST_F(KeepaliveTest, TrafficPostponesProbes) {
  h_.AdvanceTime(Duration::Seconds(8));
  h_.Inject(Data("x").Seq(r_.peer_nxt).Ack(r_.our_nxt));
  h_.AdvanceTime(Duration::Seconds(1));
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 1), "the delayed ACK");
  h_.AdvanceTime(Duration::Seconds(9) - Duration::Millis(1));
  h_.ExpectNothingSent("idle counts from the last segment received");
  h_.AdvanceTime(Duration::Millis(1));
  h_.ExpectSent(Ack().Seq(r_.our_nxt - 1).Ack(r_.peer_nxt + 1));
}

TEST(Keepalive, OffByDefault) {
  Harness h;
  ReachState(h, TcpState::kEstablished);
  h.AdvanceTime(Duration::Seconds(3 * 3600));
  h.ExpectNothingSent();
  EXPECT_EQ(h.layer().NextDeadline(), Instant::Never());
}

}  // namespace
}  // namespace tcpaas::tcp::testing
