// Every state transition of RFC 9293 §3.3.2 (Figure 5) and §3.10: a table of
// state x event => next state and the segment sent, plus the close sequences in full.
#include <functional>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

using Event = std::function<void(Harness&, Reached&)>;
using Expect = std::function<std::optional<SegmentTemplate>(Harness&, const Reached&)>;

struct Transition {
  std::string name;
  TcpState from;
  Event event;
  TcpState to;
  Expect sent;                                // the one segment expected, or nullopt for none
  CloseReason reason = CloseReason::kNormal;  // checked when `to` is CLOSED or TIME-WAIT
};

// --- Events ----------------------------------------------------------------------------
Event PeerSegment(const std::function<SegmentTemplate(const Reached&)>& make) {
  return [make](Harness& h, Reached& r) { h.Inject(make(r)); };
}
Event PeerFin() {
  return PeerSegment(
      [](const Reached& r) { return FinAck().Seq(r.peer_nxt).Ack(r.our_nxt).Win(65535); });
}
Event PeerAckAll() {
  return PeerSegment(
      [](const Reached& r) { return Ack().Seq(r.peer_nxt).Ack(r.our_nxt).Win(65535); });
}
Event PeerRst() {
  return PeerSegment([](const Reached& r) { return Rst().Seq(r.peer_nxt); });
}
Event Shutdown() {
  return [](Harness& h, Reached& r) { EXPECT_TRUE(h.layer().ShutdownWrite(r.conn, h.now()).ok()); };
}
Event Wait(Duration d) {
  return [d](Harness& h, Reached&) { h.AdvanceTime(d); };
}

// --- Expected segments -------------------------------------------------------------------
Expect Nothing() {
  return [](Harness&, const Reached&) { return std::optional<SegmentTemplate>(); };
}
Expect AckOf(uint32_t peer_advance) {
  return [peer_advance](Harness&, const Reached& r) {
    return std::optional<SegmentTemplate>(Ack().Seq(r.our_nxt).Ack(r.peer_nxt + peer_advance));
  };
}
Expect OurFin() {
  return [](Harness&, const Reached& r) {
    return std::optional<SegmentTemplate>(FinAck().Seq(r.our_nxt).Ack(r.peer_nxt));
  };
}

std::vector<Transition> Table() {
  const TcpState kSynSent = TcpState::kSynSent, kSynRcvd = TcpState::kSynReceived,
                 kEstab = TcpState::kEstablished, kFw1 = TcpState::kFinWait1,
                 kFw2 = TcpState::kFinWait2, kCloseWait = TcpState::kCloseWait,
                 kClosing = TcpState::kClosing, kLastAck = TcpState::kLastAck,
                 kTimeWait = TcpState::kTimeWait, kClosed = TcpState::kClosed;
  return {
      // SYN-SENT (RFC 9293 §3.10.7.3).
      {"SynSent_SynAck", kSynSent,
       PeerSegment([](const Reached& r) { return SynAck().Seq(kPeerIss).Ack(r.our_nxt); }), kEstab,
       AckOf(1)},
      {"SynSent_Syn_SimultaneousOpen", kSynSent,
       PeerSegment([](const Reached&) { return Syn().Seq(kPeerIss); }), kSynRcvd,
       [](Harness& h, const Reached& r) {
         return std::optional<SegmentTemplate>(SynAck().Seq(h.iss()).Ack(kPeerIss + 1));
       }},
      {"SynSent_RstAck_Refused", kSynSent,
       PeerSegment([](const Reached& r) { return RstAck().Seq(0).Ack(r.our_nxt); }), kClosed,
       Nothing(), CloseReason::kRefused},
      {"SynSent_RstWithoutAck_Ignored", kSynSent,
       PeerSegment([](const Reached&) { return Rst().Seq(kPeerIss); }), kSynSent, Nothing()},
      {"SynSent_BadAck_Reset", kSynSent,
       PeerSegment([](const Reached& r) { return SynAck().Seq(kPeerIss).Ack(r.our_nxt + 7); }),
       kSynSent,
       [](Harness&, const Reached& r) {
         return std::optional<SegmentTemplate>(Rst().Seq(r.our_nxt + 7));
       }},
      {"SynSent_Timeout_RetransmitsSyn", kSynSent, Wait(Duration::Seconds(1)), kSynSent,
       [](Harness& h, const Reached&) {
         return std::optional<SegmentTemplate>(Syn().Seq(h.iss()));
       }},
      // SYN-RECEIVED.
      {"SynReceived_Ack", kSynRcvd, PeerAckAll(), kEstab, Nothing()},
      {"SynReceived_SynAck_SimultaneousOpen", kSynRcvd,
       PeerSegment([](const Reached& r) { return SynAck().Seq(kPeerIss).Ack(r.our_nxt); }), kEstab,
       Nothing()},
      {"SynReceived_Rst_Refused", kSynRcvd, PeerRst(), kClosed, Nothing(), CloseReason::kRefused},
      {"SynReceived_BadAck_Reset", kSynRcvd, PeerSegment([](const Reached& r) {
         return Ack().Seq(r.peer_nxt).Ack(r.our_nxt + 100).Win(65535);
       }),
       kSynRcvd,
       [](Harness&, const Reached& r) {
         return std::optional<SegmentTemplate>(Rst().Seq(r.our_nxt + 100));
       }},
      {"SynReceived_ShutdownThenAck_FinWait1", kSynRcvd,
       [](Harness& h, Reached& r) {
         EXPECT_TRUE(h.layer().ShutdownWrite(r.conn, h.now()).ok());
         h.ExpectNothingSent("FIN waits for the handshake");
         h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt).Win(65535));
       },
       kFw1, OurFin()},
      // ESTABLISHED.
      {"Established_Fin", kEstab, PeerFin(), kCloseWait, AckOf(1)},
      {"Established_Shutdown", kEstab, Shutdown(), kFw1, OurFin()},
      {"Established_Rst", kEstab, PeerRst(), kClosed, Nothing(), CloseReason::kReset},
      // FIN-WAIT-1.
      {"FinWait1_AckOfFin", kFw1, PeerAckAll(), kFw2, Nothing()},
      {"FinWait1_Fin_SimultaneousClose", kFw1, PeerSegment([](const Reached& r) {
         return FinAck().Seq(r.peer_nxt).Ack(r.our_nxt - 1).Win(65535);
       }),
       kClosing, AckOf(1)},
      {"FinWait1_FinAckingOurFin", kFw1, PeerFin(), kTimeWait, AckOf(1)},
      {"FinWait1_Rst", kFw1, PeerRst(), kClosed, Nothing(), CloseReason::kReset},
      // FIN-WAIT-2.
      {"FinWait2_Fin", kFw2, PeerFin(), kTimeWait, AckOf(1)},
      {"FinWait2_Rst", kFw2, PeerRst(), kClosed, Nothing(), CloseReason::kReset},
      // CLOSE-WAIT.
      {"CloseWait_Shutdown", kCloseWait, Shutdown(), kLastAck, OurFin()},
      {"CloseWait_Rst", kCloseWait, PeerRst(), kClosed, Nothing(), CloseReason::kReset},
      // CLOSING.
      {"Closing_AckOfFin", kClosing, PeerAckAll(), kTimeWait, Nothing()},
      {"Closing_Rst", kClosing, PeerRst(), kClosed, Nothing(), CloseReason::kReset},
      // LAST-ACK.
      {"LastAck_AckOfFin", kLastAck, PeerAckAll(), kClosed, Nothing()},
      {"LastAck_Rst", kLastAck, PeerRst(), kClosed, Nothing(), CloseReason::kReset},
      // TIME-WAIT.
      {"TimeWait_2Msl", kTimeWait, Wait(Duration::Seconds(60)), kClosed, Nothing()},
      {"TimeWait_FinRetransmission", kTimeWait, PeerSegment([](const Reached& r) {
         return FinAck().Seq(r.peer_nxt - 1).Ack(r.our_nxt).Win(65535);
       }),
       kTimeWait, AckOf(0)},
      {"TimeWait_Rst_IgnoredRfc1337", kTimeWait, PeerRst(), kTimeWait, Nothing()},
  };
}

void PrintTo(const Transition& t, std::ostream* os) { *os << t.name; }

class TransitionTest : public ::testing::TestWithParam<Transition> {};

TEST_P(TransitionTest, NextStateAndSegment) {
  const Transition& t = GetParam();
  Harness h;
  Reached r = ReachState(h, t.from);
  ASSERT_EQ(h.State(r.conn), t.from);
  const size_t closed_before = h.events().Count(TcpEventType::kClosed, r.conn);
  t.event(h, r);
  EXPECT_EQ(TcpStateName(h.State(r.conn)), TcpStateName(t.to));
  const std::optional<SegmentTemplate> want = t.sent(h, r);
  if (want) {
    h.ExpectSent(*want);
  }
  h.ExpectNothingSent();
  if (t.to == TcpState::kClosed || t.to == TcpState::kTimeWait) {
    // kClosed is raised exactly once, on entering TIME-WAIT or CLOSED.
    EXPECT_EQ(h.events().Count(TcpEventType::kClosed, r.conn), 1u);
    const auto closed = h.events().Last(TcpEventType::kClosed, r.conn);
    ASSERT_TRUE(closed.has_value());
    EXPECT_EQ(CloseReasonName(closed->reason), CloseReasonName(t.reason));
  } else {
    EXPECT_EQ(h.events().Count(TcpEventType::kClosed, r.conn), closed_before);
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc9293, TransitionTest, ::testing::ValuesIn(Table()),
                         [](const ::testing::TestParamInfo<Transition>& info) {
                           return info.param.name;
                         });

// --- Whole sequences ------------------------------------------------------------------------

TEST(StateMachine, ActiveCloseGoesThroughTimeWaitAndFreesTheTuple) {
  Harness h;
  Reached r = ReachState(h, TcpState::kTimeWait);
  EXPECT_TRUE(h.events().Has(TcpEventType::kFinAcked, r.conn));
  EXPECT_TRUE(h.events().Has(TcpEventType::kPeerFin, r.conn));
  ASSERT_TRUE(h.layer().Close(r.conn, h.now()).ok());  // handle released in TIME-WAIT
  EXPECT_EQ(h.layer().connection_count(), 1u);
  h.AdvanceTime(Duration::Seconds(59));
  EXPECT_EQ(h.layer().StateCounts()[static_cast<size_t>(TcpState::kTimeWait)], 1u);
  h.AdvanceTime(Duration::Seconds(1));
  EXPECT_EQ(h.layer().connection_count(), 0u);
  EXPECT_EQ(h.layer().NextDeadline(), Instant::Never());
  // The tuple is free again: a segment for it is answered by a RST.
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt));
  h.ExpectSent(Rst().Seq(r.our_nxt));
}

TEST(StateMachine, TimeWaitRestartsOnRetransmittedFin) {
  Harness h;
  Reached r = ReachState(h, TcpState::kTimeWait);
  h.AdvanceTime(Duration::Seconds(50));
  h.Inject(FinAck().Seq(r.peer_nxt - 1).Ack(r.our_nxt).Win(65535));
  h.ExpectSent(Ack().Seq(r.our_nxt).Ack(r.peer_nxt));
  h.AdvanceTime(Duration::Seconds(59));  // 109 s after entering: still waiting
  EXPECT_EQ(h.State(r.conn), TcpState::kTimeWait);
  h.AdvanceTime(Duration::Seconds(1));
  EXPECT_EQ(h.State(r.conn), TcpState::kClosed);
  EXPECT_EQ(h.events().Count(TcpEventType::kClosed, r.conn), 1u);
}

TEST(StateMachine, SimultaneousOpenBothSidesSendSynAck) {
  // RFC 9293 Figure 8.
  Harness h;
  const ConnId c = h.Connect();
  h.ExpectSent(Syn().Seq(h.iss()));
  h.Inject(Syn().Seq(300).Win(65535).Mss(1000));
  h.ExpectSent(SynAck().Seq(h.iss()).Ack(301).Mss(1460).NoTs().NoSackOk().NoWs());
  EXPECT_EQ(h.State(c), TcpState::kSynReceived);
  EXPECT_FALSE(h.events().Has(TcpEventType::kEstablished, c));
  h.Inject(SynAck().Seq(300).Ack(h.iss() + 1).Win(65535).Mss(1000));
  h.ExpectNothingSent();
  EXPECT_EQ(h.State(c), TcpState::kEstablished);
  EXPECT_TRUE(h.events().Has(TcpEventType::kEstablished, c));
  EXPECT_EQ(h.Stats(c).snd_mss, 1000u);
  // Data flows both ways.
  h.SendString(c, "hi");
  h.ExpectSent(Data("hi").Seq(h.iss() + 1).Ack(301));
  h.Inject(Data("yo").Seq(301).Ack(h.iss() + 3));
  EXPECT_EQ(h.RecvString(c), "yo");
}

TEST(StateMachine, SimultaneousCloseThroughClosing) {
  Harness h;
  Reached r = ReachState(h, TcpState::kClosing);
  EXPECT_FALSE(h.events().Has(TcpEventType::kClosed, r.conn));
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt).Win(65535));
  h.ExpectNothingSent();
  EXPECT_EQ(h.State(r.conn), TcpState::kTimeWait);
  EXPECT_EQ(h.events().Count(TcpEventType::kClosed, r.conn), 1u);
  EXPECT_EQ(h.events().Last(TcpEventType::kClosed, r.conn)->reason, CloseReason::kNormal);
}

TEST(StateMachine, PassiveCloseEndsInClosedWithoutTimeWait) {
  Harness h;
  Reached r = ReachState(h, TcpState::kLastAck);
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt).Win(65535));
  EXPECT_EQ(h.State(r.conn), TcpState::kClosed);
  EXPECT_EQ(h.layer().StateCounts()[static_cast<size_t>(TcpState::kTimeWait)], 0u);
  bool eof = false;
  EXPECT_EQ(h.RecvString(r.conn, 100, &eof), "");
  EXPECT_TRUE(eof);
  EXPECT_EQ(h.layer().NextDeadline(), Instant::Never());
}

TEST(StateMachine, FinCarriedWithDataAndPsh) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  h.SendString(r.conn, "hello");
  h.ExpectSent(Data("hello").Seq(r.our_nxt).Psh());
  ASSERT_TRUE(h.layer().ShutdownWrite(r.conn, h.now()).ok());
  // Nagle does not hold a FIN back; the FIN follows the unacknowledged data.
  h.ExpectSent(FinAck().Seq(r.our_nxt + 5));
  EXPECT_EQ(h.State(r.conn), TcpState::kFinWait1);
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt + 6).Win(65535));
  EXPECT_EQ(h.State(r.conn), TcpState::kFinWait2);
  const auto fin_acked = h.events().Last(TcpEventType::kFinAcked, r.conn);
  ASSERT_TRUE(fin_acked.has_value());
  EXPECT_EQ(fin_acked->bytes_acked, 5u);
}

TEST(StateMachine, ShutdownWithQueuedDataSendsFinAfterIt) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  ASSERT_TRUE(h.layer().SetNoDelay(r.conn, true, h.now()).ok());
  h.SendString(r.conn, std::string(3000, 'x'));
  h.ExpectSent(Data(1460).Seq(r.our_nxt));
  h.ExpectSent(Data(1460).Seq(r.our_nxt + 1460));
  h.ExpectSent(Data(80).Seq(r.our_nxt + 2920));
  ASSERT_TRUE(h.layer().ShutdownWrite(r.conn, h.now()).ok());
  h.ExpectSent(FinAck().Seq(r.our_nxt + 3000));
  EXPECT_FALSE(h.layer().Send(r.conn, absl::MakeConstSpan(std::vector<uint8_t>(3)), h.now()).ok());
  EXPECT_EQ(h.layer().SendSpace(r.conn), 0u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
