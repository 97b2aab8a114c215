// Closing from the user's side: close with unread data (RST, RFC 2525 §2.17), abort
// (RFC 9293 §3.10.5), the orphaned FIN-WAIT-2 timeout, data after close, refused connects,
// and reading after a reset.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

TEST(Close, WithUnreadDataSendsRst) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  h.Inject(Data("unread").Seq(r.peer_nxt).Ack(r.our_nxt));
  h.ExpectSent(Ack().Ack(r.peer_nxt + 6), "a quick ACK: the first data of the connection");
  ASSERT_TRUE(h.layer().Close(r.conn, h.now()).ok());
  h.ExpectSent(RstAck().Seq(r.our_nxt).Ack(r.peer_nxt + 6));
  EXPECT_EQ(h.layer().connection_count(), 0u);
  EXPECT_FALSE(h.layer().GetStats(r.conn).ok()) << "the handle is released";
  EXPECT_EQ(h.counters().tcp_closes[static_cast<size_t>(CloseReason::kAborted)], 1u);
  EXPECT_FALSE(h.events().Has(TcpEventType::kClosed, r.conn)) << "no events after Close()";
}

TEST(Close, GracefulCloseReleasesTheHandleAndFinishesInside) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  ASSERT_TRUE(h.layer().Close(r.conn, h.now()).ok());
  h.ExpectSent(FinAck().Seq(r.our_nxt));
  EXPECT_EQ(h.layer().Send(r.conn, {}, h.now()).status().code(), absl::StatusCode::kNotFound);
  h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt + 1).Win(65535));
  EXPECT_EQ(h.layer().StateCounts()[static_cast<size_t>(TcpState::kFinWait2)], 1u);
  h.Inject(FinAck().Seq(r.peer_nxt).Ack(r.our_nxt + 1).Win(65535));
  h.ExpectSent(Ack().Ack(r.peer_nxt + 1));
  EXPECT_EQ(h.layer().StateCounts()[static_cast<size_t>(TcpState::kTimeWait)], 1u);
  h.AdvanceTime(Duration::Seconds(60));
  EXPECT_EQ(h.layer().connection_count(), 0u);
  EXPECT_EQ(h.counters().tcp_closes[static_cast<size_t>(CloseReason::kNormal)], 1u);
}

TEST(Close, OrphanedFinWait2TimesOut) {
  Harness h;
  Reached r = ReachState(h, TcpState::kFinWait2);
  ASSERT_TRUE(h.layer().Close(r.conn, h.now()).ok());
  h.AdvanceTime(Duration::Seconds(60) - Duration::Millis(1));
  EXPECT_EQ(h.layer().connection_count(), 1u);
  h.AdvanceTime(Duration::Millis(1));
  h.ExpectSent(RstAck().Seq(r.our_nxt));
  EXPECT_EQ(h.layer().connection_count(), 0u);
}

TEST(Close, FinWait2WithAHandleWaitsForThePeer) {
  Harness h;
  Reached r = ReachState(h, TcpState::kFinWait2);  // ShutdownWrite, the handle is kept
  h.AdvanceTime(Duration::Seconds(3600));
  EXPECT_EQ(h.State(r.conn), TcpState::kFinWait2);
  h.Inject(Data("late").Seq(r.peer_nxt).Ack(r.our_nxt));
  EXPECT_EQ(h.RecvString(r.conn), "late") << "half-closed: reading goes on";
}

TEST(Close, DataArrivingAfterCloseIsAnsweredWithRst) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  ASSERT_TRUE(h.layer().Close(r.conn, h.now()).ok());
  h.ExpectSent(FinAck());
  h.Inject(Data("nobody reads this").Seq(r.peer_nxt).Ack(r.our_nxt + 1));
  h.ExpectSent(RstAck().Seq(r.our_nxt + 1));
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpAfterClose), 1u);
  EXPECT_EQ(h.layer().connection_count(), 0u);
}

TEST(Close, AbortSendsRstAndReleases) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  h.SendString(r.conn, "queued");
  h.PopSent();
  ASSERT_TRUE(h.layer().Abort(r.conn, h.now()).ok());
  h.ExpectSent(RstAck().Seq(r.our_nxt + 6).Ack(r.peer_nxt));
  h.ExpectNothingSent();
  EXPECT_EQ(h.layer().connection_count(), 0u);
  EXPECT_EQ(h.layer().Abort(r.conn, h.now()).code(), absl::StatusCode::kNotFound);
}

TEST(Close, AbortInTimeWaitSendsNothing) {
  Harness h;
  Reached r = ReachState(h, TcpState::kTimeWait);
  ASSERT_TRUE(h.layer().Abort(r.conn, h.now()).ok());
  h.ExpectNothingSent();
  EXPECT_EQ(h.layer().connection_count(), 0u);
}

TEST(Close, CloseWhileConnectingSendsNothingAndALateSynAckIsReset) {
  Harness h;
  Reached r = ReachState(h, TcpState::kSynSent);
  ASSERT_TRUE(h.layer().Close(r.conn, h.now()).ok());
  h.ExpectNothingSent();
  EXPECT_EQ(h.layer().connection_count(), 0u);
  h.Inject(SynAck().Seq(5000).Ack(r.our_nxt));
  h.ExpectSent(Rst().Seq(r.our_nxt));
}

TEST(Close, ConnectRefusedReportsRefusedWithNothingAcked) {
  Harness h;
  Reached r = ReachState(h, TcpState::kSynSent);
  h.SendString(r.conn, "early data");  // queued in SYN-SENT
  h.Inject(RstAck().Seq(0).Ack(r.our_nxt));
  EXPECT_EQ(h.State(r.conn), TcpState::kClosed);
  const auto closed = h.events().Last(TcpEventType::kClosed, r.conn);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->reason, CloseReason::kRefused);
  EXPECT_EQ(closed->bytes_acked, 0u);
  EXPECT_FALSE(h.events().Has(TcpEventType::kEstablished, r.conn));
  uint8_t buf[8];
  EXPECT_EQ(h.layer().Recv(r.conn, absl::MakeSpan(buf), h.now()).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(h.layer().Send(r.conn, absl::MakeConstSpan(buf), h.now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(h.counters().tcp_closes[static_cast<size_t>(CloseReason::kRefused)], 1u);
  // The handle stays valid until released.
  EXPECT_TRUE(h.layer().GetStats(r.conn).ok());
  ASSERT_TRUE(h.layer().Close(r.conn, h.now()).ok());
  EXPECT_FALSE(h.layer().GetStats(r.conn).ok());
}

TEST(Close, ReadingAfterAResetReturnsTheDataFirst) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  h.SendString(r.conn, "abc");
  h.PopSent();
  h.Inject(Data("xyz").Seq(r.peer_nxt).Ack(r.our_nxt + 2));
  h.Inject(Rst().Seq(r.peer_nxt + 3));
  EXPECT_EQ(h.State(r.conn), TcpState::kClosed);
  const auto closed = h.events().Last(TcpEventType::kClosed, r.conn);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->reason, CloseReason::kReset);
  EXPECT_EQ(closed->bytes_acked, 2u);
  EXPECT_EQ(h.RecvString(r.conn), "xyz");
  uint8_t buf[8];
  EXPECT_EQ(h.layer().Recv(r.conn, absl::MakeSpan(buf), h.now()).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(h.counters().tcp_resets_rx, 1u);
}

TEST(Close, HalfCloseBothDirections) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  // Peer closes first; we keep sending.
  h.Inject(FinAck().Seq(r.peer_nxt).Ack(r.our_nxt));
  h.ExpectSent(Ack().Ack(r.peer_nxt + 1));
  bool eof = false;
  EXPECT_EQ(h.RecvString(r.conn, 10, &eof), "");
  EXPECT_TRUE(eof);
  h.SendString(r.conn, "still talking");
  h.ExpectSent(Data("still talking").Seq(r.our_nxt));
  ASSERT_TRUE(h.layer().ShutdownWrite(r.conn, h.now()).ok());
  h.ExpectSent(FinAck().Seq(r.our_nxt + 13));
  h.Inject(Ack().Seq(r.peer_nxt + 1).Ack(r.our_nxt + 14));
  EXPECT_EQ(h.State(r.conn), TcpState::kClosed);
  EXPECT_EQ(h.events().Last(TcpEventType::kClosed, r.conn)->bytes_acked, 13u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
