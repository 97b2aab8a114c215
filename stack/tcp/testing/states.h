// Brings a Harness connection into any state of RFC 9293 §3.3.2 by a scripted exchange, and
// remembers both sides' sequence numbers so tests can go on from there (tests only).
#ifndef TCPAAS_STACK_TCP_TESTING_STATES_H_
#define TCPAAS_STACK_TCP_TESTING_STATES_H_

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"

namespace tcpaas::tcp::testing {

// The sequence numbers of both sides after reaching a state.
struct Reached {
  ConnId conn;
  SeqNum our_nxt;   // our next sequence number (SND.NXT)
  SeqNum peer_nxt;  // the peer's next sequence number (our RCV.NXT)
};

inline constexpr SeqNum kPeerIss = SeqNum(5000);

// The peer offers SACK but neither timestamps nor window scaling, so sequence numbers and
// windows stay simple.
inline Reached ReachState(Harness& h, TcpState state, const ConnectionOptions& options = {}) {
  Reached r;
  const ConnectionOptions& opts = options;
  switch (state) {
    case TcpState::kSynSent: {
      r.conn = h.Connect(kRemote, opts);
      h.ExpectSent(Syn());
      r.our_nxt = h.iss() + 1;
      r.peer_nxt = kPeerIss;
      return r;
    }
    case TcpState::kSynReceived: {
      // Simultaneous open, so the connection has a handle.
      r.conn = h.Connect(kRemote, opts);
      h.ExpectSent(Syn());
      h.Inject(Syn().Seq(kPeerIss).Win(65535));
      h.ExpectSent(SynAck().Seq(h.iss()).Ack(kPeerIss + 1));
      r.our_nxt = h.iss() + 1;
      r.peer_nxt = kPeerIss + 1;
      return r;
    }
    default:
      break;
  }
  r.conn = h.Establish(opts, kPeerIss, SynAck().Win(65535).Mss(1460).SackOk());
  r.our_nxt = h.iss() + 1;
  r.peer_nxt = kPeerIss + 1;
  auto fin_from_peer = [&] {
    h.Inject(FinAck().Seq(r.peer_nxt).Ack(r.our_nxt).Win(65535));
    r.peer_nxt = r.peer_nxt + 1;
    h.ExpectSent(Ack().Seq(r.our_nxt).Ack(r.peer_nxt));
  };
  auto our_fin = [&] {
    EXPECT_TRUE(h.layer().ShutdownWrite(r.conn, h.now()).ok());
    h.ExpectSent(FinAck().Seq(r.our_nxt).Ack(r.peer_nxt));
    r.our_nxt = r.our_nxt + 1;
  };
  switch (state) {
    case TcpState::kEstablished:
      break;
    case TcpState::kFinWait1:
      our_fin();
      break;
    case TcpState::kFinWait2:
      our_fin();
      h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt).Win(65535));
      h.ExpectNothingSent();
      break;
    case TcpState::kCloseWait:
      fin_from_peer();
      break;
    case TcpState::kClosing:
      our_fin();
      // The peer's FIN crosses ours: it does not acknowledge our FIN.
      h.Inject(FinAck().Seq(r.peer_nxt).Ack(r.our_nxt - 1).Win(65535));
      r.peer_nxt = r.peer_nxt + 1;
      h.ExpectSent(Ack().Seq(r.our_nxt).Ack(r.peer_nxt));
      break;
    case TcpState::kLastAck:
      fin_from_peer();
      our_fin();
      break;
    case TcpState::kTimeWait:
      our_fin();
      h.Inject(Ack().Seq(r.peer_nxt).Ack(r.our_nxt).Win(65535));
      fin_from_peer();
      break;
    default:
      ADD_FAILURE() << "cannot reach " << TcpStateName(state);
  }
  EXPECT_EQ(h.State(r.conn), state) << "while reaching " << TcpStateName(state);
  return r;
}

}  // namespace tcpaas::tcp::testing

#endif  // TCPAAS_STACK_TCP_TESTING_STATES_H_
