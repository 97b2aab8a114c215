// The layer around the connections: listeners and their backlog, RSTs for segments without a
// connection (RFC 9293 §3.10.7.1), handles and events, ephemeral ports (RFC 6056), limits,
// malformed input, shutdown.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

Endpoint Peer(uint16_t port) { return Endpoint{kRemoteAddr, Port(port)}; }

// --- Segments for no connection ------------------------------------------------------------

TEST(ClosedPort, SynWithoutAckGetsRstAckForItsSequence) {
  Harness h;
  h.Inject(Syn().Seq(1000).To(Port(81)));
  h.ExpectSent(RstAck().Seq(0).Ack(1001));
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpNoSocket), 1u);
  EXPECT_EQ(h.counters().tcp_resets_tx, 1u);
}

TEST(ClosedPort, SegmentWithAckGetsRstAtItsAck) {
  Harness h;
  h.Inject(Data("hello").Seq(1000).Ack(777).To(Port(81)));
  h.ExpectSent(Rst().Seq(777));
}

TEST(ClosedPort, FinWithoutAckCountsFinAndData) {
  Harness h;
  h.Inject(SegmentTemplate(wire::tcp_flags::kFin).Payload("abc").Seq(50).To(Port(81)));
  h.ExpectSent(RstAck().Seq(0).Ack(54));
}

TEST(ClosedPort, RstIsNeverAnsweredWithRst) {
  Harness h;
  h.Inject(Rst().Seq(1000).To(Port(81)));
  h.Inject(RstAck().Seq(1000).Ack(5).To(Port(81)));
  h.ExpectNothingSent();
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpNoSocket), 2u);
}

TEST(ClosedPort, BroadcastAndMulticastSourcesAreNeverAnswered) {
  Harness h;
  h.Inject(Syn().Seq(1).From(Endpoint{Ipv4Address::Broadcast(), Port(5)}).To(Port(81)));
  h.Inject(Syn().Seq(1).From(Endpoint{Ipv4Address::FromOctets(224, 0, 0, 1), Port(5)}));
  h.ExpectNothingSent();
}

// --- Malformed input --------------------------------------------------------------------

TEST(Input, MalformedSegmentsAreDroppedByReason) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  std::vector<uint8_t> good =
      Harness::Build(Data("x").Seq(r.peer_nxt).Ack(r.our_nxt), kRemote.port, kLocalPort);
  std::vector<uint8_t> short_segment(good.begin(), good.begin() + 12);
  h.InjectBytes(short_segment);
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpMalformed), 1u);

  std::vector<uint8_t> bad_checksum = good;
  bad_checksum[16] ^= 0x55;
  h.InjectBytes(bad_checksum);
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpBadChecksum), 1u);

  // Options whose length byte runs past the header: data offset 6, one option of length 9.
  std::vector<uint8_t> bad_options =
      Harness::Build(Ack().Seq(r.peer_nxt).Ack(r.our_nxt), kRemote.port, kLocalPort);
  bad_options.insert(bad_options.begin() + 20, {8, 9, 0, 0});
  bad_options[12] = 6 << 4;
  wire::FillTcpChecksum(kRemoteAddr, kLocalAddr, absl::MakeSpan(bad_options));
  h.InjectBytes(bad_options);
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpBadOptions), 1u);

  h.Inject(SegmentTemplate(0).Payload("x").Seq(r.peer_nxt));  // no flags at all
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpNoFlags), 1u);
  h.ExpectNothingSent();
  EXPECT_EQ(h.layer().RecvAvailable(r.conn), 0u);
  h.InjectBytes(good);
  EXPECT_EQ(h.RecvString(r.conn), "x");
}

TEST(Input, UrgentDataIsDeliveredInline) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  h.Inject(Data("urgent!").Seq(r.peer_nxt).Ack(r.our_nxt).Urg(3));
  EXPECT_EQ(h.RecvString(r.conn), "urgent!");
}

// --- Listeners ----------------------------------------------------------------------------

TEST(Listener, BacklogBoundsEmbryonicAndCompletedConnections) {
  Harness h;
  const ListenerId l = h.Listen(Port(80), /*backlog=*/2);
  h.Inject(Syn().Seq(100).From(Peer(1001)));
  h.ExpectSent(SynAck().Ack(101));
  h.Inject(Syn().Seq(200).From(Peer(1002)));
  const SentSegment second = h.ExpectSent(SynAck().Ack(201));
  h.Inject(Syn().Seq(300).From(Peer(1003)));
  h.ExpectNothingSent("backlog full: the SYN is dropped, the peer retries");
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpBacklogFull), 1u);
  EXPECT_EQ(h.counters().tcp_syn_cookies_or_overflow, 1u);
  // Completing one and accepting it makes room.
  h.Inject(Ack().Seq(201).Ack(second.seq() + 1).From(Peer(1002)));
  EXPECT_TRUE(h.events().Has(TcpEventType::kAcceptReady, l));
  h.Inject(Syn().Seq(300).From(Peer(1003)));
  h.ExpectNothingSent("completed but not accepted still counts");
  ASSERT_TRUE(h.layer().Accept(l).has_value());
  h.Inject(Syn().Seq(300).From(Peer(1003)));
  h.ExpectSent(SynAck().Ack(301));
  EXPECT_EQ(h.counters().tcp_passive_opens, 3u);
}

TEST(Listener, SynFinIsDropped) {
  Harness h;
  h.Listen(Port(80));
  h.Inject(SegmentTemplate(wire::tcp_flags::kSyn | wire::tcp_flags::kFin).Seq(1).To(Port(80)));
  h.ExpectNothingSent();
  EXPECT_EQ(h.layer().connection_count(), 0u);
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpBadSyn), 1u);
}

TEST(Listener, AcceptReplaysWhatArrivedBeforeIt) {
  Harness h;
  const ListenerId l = h.Listen(Port(80));
  h.set_peer(Port(80), Peer(1234));
  h.Inject(Syn().Seq(100).Win(65535));
  const SentSegment sa = h.ExpectSent(SynAck());
  h.Inject(Data("early").Seq(101).Ack(sa.seq() + 1));
  h.ExpectSent(Ack().Ack(106), "a quick ACK: the first data of the connection");
  h.Inject(FinAck().Seq(106).Ack(sa.seq() + 1));
  h.ExpectSent(Ack().Ack(107));
  const std::optional<ConnId> c = h.layer().Accept(l);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(h.events().Has(TcpEventType::kEstablished, *c));
  EXPECT_TRUE(h.events().Has(TcpEventType::kReadable, *c));
  EXPECT_TRUE(h.events().Has(TcpEventType::kPeerFin, *c));
  EXPECT_EQ(h.State(*c), TcpState::kCloseWait);
  bool eof = false;
  EXPECT_EQ(h.RecvString(*c, 100, &eof), "early");
  EXPECT_TRUE(eof);
  EXPECT_FALSE(h.layer().Accept(l).has_value());
}

TEST(Listener, AckOrRstForAListenerIsHandledWithoutAConnection) {
  Harness h;
  h.Listen(Port(80));
  h.set_peer(Port(80), Peer(1234));
  h.Inject(Ack().Seq(100).Ack(9999));
  h.ExpectSent(Rst().Seq(9999));
  h.Inject(Rst().Seq(100));
  h.Inject(FinAck().Seq(100).Ack(1));
  h.ExpectSent(Rst().Seq(1));
  h.ExpectNothingSent();
  EXPECT_EQ(h.layer().connection_count(), 0u);
}

TEST(Listener, ChildResetBeforeAcceptDisappears) {
  Harness h;
  const ListenerId l = h.Listen(Port(80));
  h.set_peer(Port(80), Peer(1234));
  h.Inject(Syn().Seq(100));
  const SentSegment sa = h.ExpectSent(SynAck());
  h.Inject(Ack().Seq(101).Ack(sa.seq() + 1));
  h.Inject(Rst().Seq(101));
  EXPECT_EQ(h.layer().connection_count(), 0u);
  EXPECT_FALSE(h.layer().Accept(l).has_value());
}

TEST(Listener, CloseListenerResetsChildrenNotAccepted) {
  Harness h;
  const ListenerId l = h.Listen(Port(80));
  h.Inject(Syn().Seq(100).From(Peer(1001)));
  const SentSegment a = h.ExpectSent(SynAck());
  h.Inject(Syn().Seq(200).From(Peer(1002)));
  const SentSegment b = h.ExpectSent(SynAck());
  h.Inject(Ack().Seq(201).Ack(b.seq() + 1).From(Peer(1002)));  // completed, not accepted
  h.Inject(Syn().Seq(300).From(Peer(1003)));
  const SentSegment c = h.ExpectSent(SynAck());
  h.Inject(Ack().Seq(301).Ack(c.seq() + 1).From(Peer(1003)));
  const std::optional<ConnId> accepted = h.layer().Accept(l);  // the first completed: b
  ASSERT_TRUE(accepted.has_value());
  ASSERT_TRUE(h.layer().CloseListener(l, h.now()).ok());
  h.ExpectSent(RstAck().Seq(a.seq() + 1).Ack(101), "embryonic");
  h.ExpectSent(RstAck().Seq(c.seq() + 1).Ack(301), "completed, not accepted");
  h.ExpectNothingSent("the accepted connection lives on");
  EXPECT_EQ(h.layer().connection_count(), 1u);
  EXPECT_EQ(h.State(*accepted), TcpState::kEstablished);
  EXPECT_EQ(h.layer().CloseListener(l, h.now()).code(), absl::StatusCode::kNotFound);
  h.Inject(Syn().Seq(400).From(Peer(1004)));
  h.ExpectSent(RstAck().Ack(401));
}

TEST(Listener, ListenErrors) {
  Harness h;
  EXPECT_EQ(h.layer().Listen(Port(0), 1, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h.layer().Listen(Port(80), 0, {}).status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(h.layer().Listen(Port(80), 1, {}).ok());
  EXPECT_EQ(h.layer().Listen(Port(80), 1, {}).status().code(), absl::StatusCode::kAlreadyExists);
  ConnectionOptions bad;
  bad.congestion_control = "nope";
  EXPECT_EQ(h.layer().Listen(Port(81), 1, bad).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Listener, NewSynReusesATupleInTimeWait) {
  // RFC 6191 / RFC 1122 §4.2.2.13: a SYN above the old RCV.NXT may take over the tuple.
  Harness h;
  const ListenerId l = h.Listen(Port(80));
  h.set_peer(Port(80), Peer(1234));
  const ConnId c = h.AcceptOne(l, SeqNum(5000), Syn().Win(65535));
  ASSERT_TRUE(h.layer().ShutdownWrite(c, h.now()).ok());
  h.ExpectSent(FinAck());
  h.Inject(FinAck().Seq(5001).Ack(h.iss() + 2));
  h.ExpectSent(Ack().Ack(5002));
  ASSERT_EQ(h.State(c), TcpState::kTimeWait);
  h.Inject(Syn().Seq(4000).Win(65535));  // older: challenged, not a new connection
  h.ExpectSent(Ack().Ack(5002));
  h.Inject(Syn().Seq(90000).Win(65535));
  h.ExpectSent(SynAck().Ack(90001));
  EXPECT_EQ(h.State(c), TcpState::kClosed) << "the old incarnation is gone";
}

// --- Active opens --------------------------------------------------------------------------

TEST(Connect, ErrorsAreReportedAtOnce) {
  Harness h;
  EXPECT_EQ(h.layer().Connect(Peer(0), {}, h.now()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h.layer().Connect(Endpoint{kLocalAddr, Port(80)}, {}, h.now()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h.layer().Connect(Endpoint{Ipv4Address::Any(), Port(80)}, {}, h.now()).status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(h.layer().Connect(Peer(80), {}, h.now(), Port(5000)).ok());
  EXPECT_EQ(h.layer().Connect(Peer(80), {}, h.now(), Port(5000)).status().code(),
            absl::StatusCode::kAlreadyExists);
  h.ip().fail_with = absl::UnavailableError("no route");
  EXPECT_EQ(h.layer().Connect(Peer(81), {}, h.now()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(h.layer().connection_count(), 1u);
}

TEST(Connect, ASynRefusedByAFullQueueBelowIsLostAndRetransmitted) {
  Harness h;
  h.ip().fail_with = absl::ResourceExhaustedError("address resolution queue is full");
  absl::StatusOr<ConnId> c = h.layer().Connect(Peer(80), {}, h.now());
  ASSERT_TRUE(c.ok()) << c.status();
  h.ExpectNothingSent("the queue refused the SYN");
  h.ip().fail_with = absl::OkStatus();
  h.AdvanceTime(Duration::Seconds(1));  // RFC 6298 §2.1: the initial RTO
  h.ExpectSent(Syn().To(Port(80)), "the SYN again");
  EXPECT_EQ(h.State(*c), TcpState::kSynSent);
}

TEST(Connect, ConnectionLimit) {
  TcpConfig config = TestConfig();
  config.max_connections = 2;
  Harness h(config);
  const ListenerId l = h.Listen(Port(80));
  ASSERT_TRUE(h.layer().Connect(Peer(80), {}, h.now()).ok());
  ASSERT_TRUE(h.layer().Connect(Peer(81), {}, h.now()).ok());
  EXPECT_EQ(h.layer().Connect(Peer(82), {}, h.now()).status().code(),
            absl::StatusCode::kResourceExhausted);
  h.DropSent();
  h.Inject(Syn().Seq(1).From(Peer(2000)).To(Port(80)));
  h.ExpectNothingSent("no room for a passive connection either");
  EXPECT_FALSE(h.layer().Accept(l).has_value());
}

TEST(Connect, EphemeralPortsComeFromTheRangeUntilExhausted) {
  TcpConfig config = TestConfig();
  config.ephemeral_first = Port(50000);
  config.ephemeral_last = Port(50002);
  Harness h(config);
  std::vector<uint16_t> ports;
  for (int i = 0; i < 3; ++i) {
    auto c = h.layer().Connect(Peer(80), {}, h.now());
    ASSERT_TRUE(c.ok()) << c.status();
    ports.push_back(h.Stats(*c).tuple.local.port.value());
  }
  std::sort(ports.begin(), ports.end());
  EXPECT_EQ(ports, (std::vector<uint16_t>{50000, 50001, 50002}));
  EXPECT_EQ(h.layer().Connect(Peer(80), {}, h.now()).status().code(),
            absl::StatusCode::kResourceExhausted);
  // Another destination has all three ports free again.
  EXPECT_TRUE(h.layer().Connect(Peer(81), {}, h.now()).ok());
}

// --- Handles and events --------------------------------------------------------------------

TEST(Handles, StaleHandlesFailAfterTheSlotIsReused) {
  Harness h;
  const ConnId first = h.Connect(Peer(80));
  ASSERT_TRUE(h.layer().Abort(first, h.now()).ok());
  const ConnId second = h.Connect(Peer(81));
  EXPECT_EQ(first.index, second.index);
  EXPECT_NE(first.generation, second.generation);
  EXPECT_EQ(h.layer().GetStats(first).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(h.layer().GetStats(second).ok());
  EXPECT_EQ(h.layer().SendSpace(first), 0u);
  EXPECT_EQ(h.layer().Close(ConnId{}, h.now()).code(), absl::StatusCode::kNotFound);
}

// A handler that calls back into the layer from inside events.
class EchoHandler : public TcpEventHandler {
 public:
  explicit EchoHandler(Harness* h) : h_(h) {}
  void OnTcpEvent(const TcpEvent& e) override {
    events.push_back(e.type);
    if (e.type == TcpEventType::kReadable) {
      const std::string got = h_->RecvString(e.conn);
      h_->SendString(e.conn, got);  // echo it back, from inside the event
    }
    if (e.type == TcpEventType::kPeerFin) {
      EXPECT_TRUE(h_->layer().ShutdownWrite(e.conn, h_->now()).ok());
    }
  }
  std::vector<TcpEventType> events;

 private:
  Harness* h_;
};

TEST(Events, HandlersMayCallBackIntoTheLayer) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  EchoHandler echo(&h);
  h.layer().SetEventHandler(&echo);
  h.Inject(Data("ping").Seq(r.peer_nxt).Ack(r.our_nxt));
  // The first data of a connection is ACKed at once (quick ACK), before the handler runs.
  h.ExpectSent(Ack().Seq(r.our_nxt).Ack(r.peer_nxt + 4));
  h.ExpectSent(Data("ping").Seq(r.our_nxt).Ack(r.peer_nxt + 4));
  h.Inject(FinAck().Seq(r.peer_nxt + 4).Ack(r.our_nxt + 4));
  // The FIN is acknowledged while processing it; the handler's FIN follows after.
  h.ExpectSent(Ack().Seq(r.our_nxt + 4).Ack(r.peer_nxt + 5));
  h.ExpectSent(FinAck().Seq(r.our_nxt + 4).Ack(r.peer_nxt + 5));
  h.Inject(Ack().Seq(r.peer_nxt + 5).Ack(r.our_nxt + 5));
  EXPECT_EQ(h.State(r.conn), TcpState::kClosed);
  EXPECT_EQ(echo.events,
            (std::vector<TcpEventType>{TcpEventType::kReadable, TcpEventType::kWritable,
                                       TcpEventType::kPeerFin, TcpEventType::kFinAcked,
                                       TcpEventType::kClosed}));
}

TEST(Events, StateCountsAndAbortAll) {
  Harness h;
  h.Listen(Port(80));
  Reached r = ReachState(h, TcpState::kEstablished);
  const ConnId connecting = h.Connect(Peer(99), {}, Port(41000));
  h.DropSent();
  auto counts = h.layer().StateCounts();
  EXPECT_EQ(counts[static_cast<size_t>(TcpState::kEstablished)], 1u);
  EXPECT_EQ(counts[static_cast<size_t>(TcpState::kSynSent)], 1u);
  EXPECT_EQ(counts[static_cast<size_t>(TcpState::kListen)], 1u);
  EXPECT_EQ(h.layer().connection_count(), 2u);
  h.layer().AbortAll(h.now());
  h.ExpectSent(RstAck().Seq(r.our_nxt));
  h.ExpectNothingSent("no RST for a connection still in SYN-SENT");
  EXPECT_EQ(h.events().Last(TcpEventType::kClosed, r.conn)->reason, CloseReason::kStackShutdown);
  EXPECT_EQ(h.events().Last(TcpEventType::kClosed, connecting)->reason,
            CloseReason::kStackShutdown);
  counts = h.layer().StateCounts();
  EXPECT_EQ(counts[static_cast<size_t>(TcpState::kClosed)], 2u) << "handles stay until Close()";
  EXPECT_EQ(counts[static_cast<size_t>(TcpState::kListen)], 0u);
  EXPECT_EQ(h.layer().NextDeadline(), Instant::Never());
}

}  // namespace
}  // namespace tcpaas::tcp::testing
