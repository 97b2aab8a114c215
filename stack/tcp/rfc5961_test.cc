// RFC 5961: RST and SYN at RCV.NXT, inside the window and outside it, in every synchronized
// state (§3, §4); the ACK acceptability range (§5); the challenge ACK rate limit (§7).
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

enum class Offset { kAtRcvNxt, kInWindow, kOutsideAbove, kOutsideBelow };
enum class Kind { kRst, kSyn };

struct GridCase {
  TcpState state;
  Kind kind;
  Offset offset;
};

std::string Name(const GridCase& c) {
  std::string s(TcpStateName(c.state));
  for (char& ch : s) {
    if (ch == '-') ch = '_';
  }
  s += c.kind == Kind::kRst ? "_Rst" : "_Syn";
  switch (c.offset) {
    case Offset::kAtRcvNxt:
      return s + "_AtRcvNxt";
    case Offset::kInWindow:
      return s + "_InWindow";
    case Offset::kOutsideAbove:
      return s + "_AboveWindow";
    case Offset::kOutsideBelow:
      return s + "_BelowWindow";
  }
  return s;
}
void PrintTo(const GridCase& c, std::ostream* os) { *os << Name(c); }

class Rfc5961Grid : public ::testing::TestWithParam<GridCase> {};

TEST_P(Rfc5961Grid, ResetsOnlyWhenExactAndChallengesOtherwise) {
  const GridCase& c = GetParam();
  Harness h;
  Reached r = ReachState(h, c.state);
  // The peer sent no window scale option: our window is min(buffer, 65535) = 65535.
  SeqNum seq = r.peer_nxt;
  switch (c.offset) {
    case Offset::kAtRcvNxt:
      break;
    case Offset::kInWindow:
      seq = r.peer_nxt + 1000;
      break;
    case Offset::kOutsideAbove:
      seq = r.peer_nxt + 70000;
      break;
    case Offset::kOutsideBelow:
      seq = r.peer_nxt - 1000;
      break;
  }
  const uint64_t challenges = h.counters().tcp_challenge_acks;
  if (c.kind == Kind::kRst) {
    h.Inject(Rst().Seq(seq));
  } else {
    h.Inject(Syn().Seq(seq).Win(65535));
  }

  const bool exact_rst = c.kind == Kind::kRst && c.offset == Offset::kAtRcvNxt;
  const bool challenged =
      c.kind == Kind::kSyn || (c.offset == Offset::kInWindow && c.state != TcpState::kTimeWait);
  if (exact_rst && c.state != TcpState::kTimeWait) {
    // §3.2: exactly at RCV.NXT, the connection is reset.
    EXPECT_EQ(h.State(r.conn), TcpState::kClosed);
    h.ExpectNothingSent();
    return;
  }
  if (c.kind == Kind::kRst && c.offset == Offset::kInWindow && c.state == TcpState::kTimeWait) {
    // TIME-WAIT ignores RSTs altogether (RFC 1337) -- but a RST in the window that is not
    // exact is still challenged first (§3.2), which keeps TIME-WAIT as it is.
    h.ExpectSent(Ack().Seq(r.our_nxt).Ack(r.peer_nxt));
    EXPECT_EQ(h.State(r.conn), TcpState::kTimeWait);
    return;
  }
  EXPECT_EQ(h.State(r.conn), c.state) << "state must not change";
  if (challenged) {
    h.ExpectSent(Ack().Seq(r.our_nxt).Ack(r.peer_nxt));
    EXPECT_EQ(h.counters().tcp_challenge_acks, challenges + 1);
  }
  h.ExpectNothingSent();
  if (c.kind == Kind::kSyn) {
    EXPECT_GE(h.counters().dropped(DropReason::kTcpBadSyn), 1u);
  } else {
    EXPECT_GE(h.counters().dropped(DropReason::kTcpBadRst), 1u);
  }
}

std::vector<GridCase> Grid() {
  std::vector<GridCase> v;
  for (TcpState s :
       {TcpState::kEstablished, TcpState::kFinWait1, TcpState::kFinWait2, TcpState::kCloseWait,
        TcpState::kClosing, TcpState::kLastAck, TcpState::kTimeWait}) {
    for (Kind k : {Kind::kRst, Kind::kSyn}) {
      for (Offset o :
           {Offset::kAtRcvNxt, Offset::kInWindow, Offset::kOutsideAbove, Offset::kOutsideBelow}) {
        v.push_back({s, k, o});
      }
    }
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(States, Rfc5961Grid, ::testing::ValuesIn(Grid()),
                         [](const ::testing::TestParamInfo<GridCase>& info) {
                           return Name(info.param);
                         });

TEST(Rfc5961, RstInSynReceivedMustBeExact) {
  Harness h;
  Reached r = ReachState(h, TcpState::kSynReceived);
  h.Inject(Rst().Seq(r.peer_nxt + 10));
  h.ExpectSent(Ack().Seq(r.our_nxt).Ack(r.peer_nxt));
  EXPECT_EQ(h.State(r.conn), TcpState::kSynReceived);
  h.Inject(Rst().Seq(r.peer_nxt));
  EXPECT_EQ(h.State(r.conn), TcpState::kClosed);
}

TEST(Rfc5961, ChallengeAcksAreRateLimitedStackWide) {
  TcpConfig config = TestConfig();
  config.challenge_ack_per_second = 2;
  Harness h(config);
  Reached r = ReachState(h, TcpState::kEstablished);
  for (int i = 0; i < 3; ++i) h.Inject(Rst().Seq(r.peer_nxt + 1 + i));
  h.ExpectSent(Ack().Ack(r.peer_nxt));
  h.ExpectSent(Ack().Ack(r.peer_nxt));
  h.ExpectNothingSent("third challenge ACK within the second");
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpChallengeAckLimited), 1u);
  h.AdvanceTime(Duration::Seconds(1));
  h.Inject(Syn().Seq(r.peer_nxt + 5));
  h.ExpectSent(Ack().Ack(r.peer_nxt));
  EXPECT_EQ(h.State(r.conn), TcpState::kEstablished);
}

TEST(Rfc5961, AckAboveSndNxtIsAnsweredAndDropped) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  h.Inject(Data("data").Seq(r.peer_nxt).Ack(r.our_nxt + 1000));
  h.ExpectSent(Ack().Seq(r.our_nxt).Ack(r.peer_nxt));  // the data was not accepted
  EXPECT_EQ(h.layer().RecvAvailable(r.conn), 0u);
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpBadAck), 1u);
}

TEST(Rfc5961, AckFarBelowSndUnaIsChallengedOldAckInRangeIsAccepted) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  // MAX.SND.WND is 65535 (the peer's SYN-ACK window).
  h.Inject(Data("old").Seq(r.peer_nxt).Ack(r.our_nxt - 70000));
  h.ExpectSent(Ack().Seq(r.our_nxt).Ack(r.peer_nxt));
  EXPECT_EQ(h.layer().RecvAvailable(r.conn), 0u);
  // An old ACK within MAX.SND.WND is a harmless duplicate: the data is taken.
  h.Inject(Data("new").Seq(r.peer_nxt).Ack(r.our_nxt - 100));
  EXPECT_EQ(h.RecvString(r.conn), "new");
}

}  // namespace
}  // namespace tcpaas::tcp::testing
