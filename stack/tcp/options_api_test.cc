// Options set on open connections and on listeners (the setsockopt() side of TcpLayer):
// buffer sizes, user timeout, keepalive, listener options reaching children, and the window
// scale source.
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"

namespace tcpaas::tcp::testing {
namespace {

// A connection with no window scaling and no timestamps (ReachState's peer), MSS 1460.
class OpenOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override { r_ = ReachState(h_, TcpState::kEstablished, Options()); }
  virtual ConnectionOptions Options() { return {}; }
  SegmentTemplate PeerAck(uint32_t acked, uint16_t win = 65535) {
    return Ack().Seq(r_.peer_nxt).Ack(r_.our_nxt + acked).Win(win);
  }
  Harness h_;
  Reached r_;
};

// --- Send buffer ----------------------------------------------------------------------------

class SendBufferSizeTest : public OpenOptionsTest {
  ConnectionOptions Options() override {
    ConnectionOptions o;
    o.send_buffer_bytes = 3000;
    o.no_delay = true;
    return o;
  }
};

TEST_F(SendBufferSizeTest, ShrinkKeepsQueuedDataAndGrowRaisesWritable) {
  std::string data;
  for (int i = 0; i < 3000; ++i) data.push_back(static_cast<char>('a' + i % 26));
  ASSERT_EQ(h_.SendString(r_.conn, data), 3000u);
  h_.ExpectSent(Data(1460).Seq(r_.our_nxt));
  h_.ExpectSent(Data(1460).Seq(r_.our_nxt + 1460));
  h_.ExpectSent(Data(80).Seq(r_.our_nxt + 2920));
  ASSERT_TRUE(h_.layer().SetSendBufferSize(r_.conn, 1000, h_.now()).ok());
  EXPECT_EQ(h_.layer().SendSpace(r_.conn), 0u);
  EXPECT_EQ(h_.Stats(r_.conn).send_buffer_used, 3000u) << "nothing queued is dropped";
  EXPECT_EQ(h_.layer().GetOptions(r_.conn)->send_buffer_bytes, 1000u);
  // The queued bytes are still there to retransmit, byte for byte: the tail loss probe
  // (RFC 8985 §7.3) resends the last 1460.
  ASSERT_TRUE(h_.RunNextTimer());
  const SentSegment again = h_.ExpectSent(Data(1460).Seq(r_.our_nxt + 1540));
  EXPECT_EQ(again.payload_string(), data.substr(1540, 1460));
  h_.Inject(PeerAck(2920));
  EXPECT_EQ(h_.layer().SendSpace(r_.conn), 1000u - 80u);
  const size_t writable_events = h_.events().Count(TcpEventType::kWritable, r_.conn);
  ASSERT_TRUE(h_.layer().SetSendBufferSize(r_.conn, 10000, h_.now()).ok());
  EXPECT_EQ(h_.layer().SendSpace(r_.conn), 10000u - 80u);
  EXPECT_EQ(h_.events().Count(TcpEventType::kWritable, r_.conn), writable_events + 1);
  EXPECT_EQ(h_.SendString(r_.conn, std::string(9920, 'z')), 9920u);
}

TEST_F(OpenOptionsTest, BufferSizesOutOfRangeAreRejected) {
  EXPECT_EQ(h_.layer().SetSendBufferSize(r_.conn, 0, h_.now()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h_.layer().SetSendBufferSize(r_.conn, size_t{1} << 31, h_.now()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h_.layer().SetRecvBufferSize(r_.conn, 0, h_.now()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h_.layer().SetRecvBufferSize(r_.conn, (size_t{65535} << 14) + 1, h_.now()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h_.layer().SetSendBufferSize(ConnId{.index = 77, .generation = 3}, 10, h_.now()).code(),
            absl::StatusCode::kNotFound);
}

// --- Receive buffer -------------------------------------------------------------------------

class RecvBufferSizeTest : public OpenOptionsTest {
  ConnectionOptions Options() override {
    ConnectionOptions o;
    o.recv_buffer_bytes = 4000;  // below 65535: no window scaling
    return o;
  }
};

TEST_F(RecvBufferSizeTest, ShrinkNeverMovesTheRightEdgeLeftNorDropsData) {
  h_.Inject(Data(std::string(1000, 'a')).Seq(r_.peer_nxt).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 1000).Win(3000));
  ASSERT_TRUE(h_.layer().SetRecvBufferSize(r_.conn, 1500, h_.now()).ok());
  // The peer may still send the 3000 bytes it was offered.
  h_.Inject(Data(std::string(3000, 'b')).Seq(r_.peer_nxt + 1000).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 4000).Win(0));
  EXPECT_EQ(h_.counters().dropped(DropReason::kTcpRcvBufferFull), 0u);
  EXPECT_EQ(h_.RecvString(r_.conn), std::string(1000, 'a') + std::string(3000, 'b'));
  // From now on the window is what 1500 bytes offer.
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 4000).Win(1500), "the window reopens");
  h_.Inject(Data(std::string(2000, 'c')).Seq(r_.peer_nxt + 4000).Ack(r_.our_nxt));
  EXPECT_EQ(h_.layer().RecvAvailable(r_.conn), 1500u);
  EXPECT_EQ(h_.counters().dropped(DropReason::kTcpRcvBufferFull), 1u);
}

TEST_F(RecvBufferSizeTest, GrowingAFullBufferTellsTheStalledPeerAtOnce) {
  h_.Inject(Data(std::string(4000, 'a')).Seq(r_.peer_nxt).Ack(r_.our_nxt));
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 4000).Win(0));
  ASSERT_TRUE(h_.layer().SetRecvBufferSize(r_.conn, 60000, h_.now()).ok());
  h_.ExpectSent(Ack().Ack(r_.peer_nxt + 4000).Win(56000));
  h_.Inject(Data(std::string(56000, 'b')).Seq(r_.peer_nxt + 4000).Ack(r_.our_nxt));
  EXPECT_EQ(h_.layer().RecvAvailable(r_.conn), 60000u);
  EXPECT_EQ(h_.layer().GetOptions(r_.conn)->recv_buffer_bytes, 60000u);
}

TEST(RecvBufferSize, AShrinkWhileConnectingKeepsTheWindowOurSynOffered) {
  Harness h;
  const ConnId c = h.Connect();
  const SentSegment syn = h.ExpectSent(Syn().Win(65535));
  ASSERT_TRUE(h.layer().SetRecvBufferSize(c, 1000, h.now()).ok());
  h.Inject(SynAck().Seq(5000).Ack(h.iss() + 1).Win(65535).Mss(1460));
  h.ExpectSent(Ack().Ack(5001));
  // The peer believes the SYN's 65535 bytes: they all fit.
  for (uint32_t off = 0; off < 65535; off += 1460) {
    const size_t n = std::min<size_t>(1460, 65535 - off);
    h.Inject(Data(std::string(n, 's')).Seq(SeqNum(5001) + off).Ack(syn.seq() + 1));
  }
  EXPECT_EQ(h.layer().RecvAvailable(c), 65535u);
  EXPECT_EQ(h.counters().dropped(DropReason::kTcpRcvBufferFull), 0u);
}

// --- User timeout and keepalive --------------------------------------------------------------

TEST_F(OpenOptionsTest, UserTimeoutSetOnAnOpenConnectionAppliesToOutstandingData) {
  h_.SendString(r_.conn, "data");
  h_.PopSent();
  ASSERT_TRUE(h_.layer().SetUserTimeout(r_.conn, Duration::Seconds(3), h_.now()).ok());
  const Instant set_at = h_.now();
  while (h_.State(r_.conn) != TcpState::kClosed && h_.RunNextTimer()) {
  }
  EXPECT_EQ(h_.Stats(r_.conn).close_reason, CloseReason::kUserTimeout);
  EXPECT_EQ(h_.now() - set_at, Duration::Seconds(3));
  EXPECT_EQ(h_.layer().SetUserTimeout(r_.conn, Duration::Seconds(-1), h_.now()).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(OpenOptionsTest, UserTimeoutOfZeroTurnsItOff) {
  ConnectionOptions o;
  o.user_timeout = Duration::Seconds(1);
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished, o);
  ASSERT_TRUE(h.layer().SetUserTimeout(r.conn, Duration::Zero(), h.now()).ok());
  h.SendString(r.conn, "data");
  h.AdvanceTime(Duration::Seconds(10));
  EXPECT_EQ(h.State(r.conn), TcpState::kEstablished) << "only retransmission limits apply";
}

TEST_F(OpenOptionsTest, KeepaliveTurnedOnProbesAfterTheIdleTimeThenGivesUp) {
  const KeepaliveSettings k{.enabled = true,
                            .idle = Duration::Seconds(10),
                            .interval = Duration::Seconds(1),
                            .probes = 2};
  ASSERT_TRUE(h_.layer().SetKeepalive(r_.conn, k, h_.now()).ok());
  EXPECT_TRUE(h_.layer().GetOptions(r_.conn)->keepalive);
  h_.AdvanceTime(Duration::Seconds(10));
  h_.ExpectSent(Ack().Seq(r_.our_nxt - 1).Ack(r_.peer_nxt), "first probe after the idle time");
  h_.AdvanceTime(Duration::Seconds(1));
  h_.ExpectSent(Ack().Seq(r_.our_nxt - 1), "second probe");
  EXPECT_EQ(h_.Stats(r_.conn).probes, 2u);
  h_.AdvanceTime(Duration::Seconds(1));
  h_.ExpectSent(RstAck());
  EXPECT_EQ(h_.Stats(r_.conn).close_reason, CloseReason::kKeepaliveTimeout);
}

TEST_F(OpenOptionsTest, KeepaliveTurnedOffStopsProbing) {
  KeepaliveSettings k{.enabled = true, .idle = Duration::Seconds(10)};
  ASSERT_TRUE(h_.layer().SetKeepalive(r_.conn, k, h_.now()).ok());
  k.enabled = false;
  ASSERT_TRUE(h_.layer().SetKeepalive(r_.conn, k, h_.now()).ok());
  h_.AdvanceTime(Duration::Seconds(100));
  h_.ExpectNothingSent();
  EXPECT_EQ(h_.layer().SetKeepalive(r_.conn, {.enabled = true, .probes = 0}, h_.now()).code(),
            absl::StatusCode::kInvalidArgument);
}

// --- Listener options -------------------------------------------------------------------------

TEST(ListenerOptions, ReachTheChildrenAcceptedAfterwards) {
  Harness h;
  const ListenerId l = h.Listen(Port(80));
  ConnectionOptions o;
  o.mss_clamp = 1100;
  o.no_delay = true;
  o.recv_buffer_bytes = 4000;
  o.send_buffer_bytes = 5000;
  ASSERT_TRUE(h.layer().SetListenerOptions(l, o).ok());
  EXPECT_EQ(h.layer().GetListenerOptions(l)->mss_clamp, 1100);
  h.Inject(Syn().Seq(5000).Win(65535).Mss(1460));
  const SentSegment sa = h.ExpectSent(SynAck().Ack(5001).Mss(1100).Win(4000));
  h.Inject(Ack().Seq(5001).Ack(sa.seq() + 1).Win(65535));
  const std::optional<ConnId> c = h.layer().Accept(l);
  ASSERT_TRUE(c.has_value());
  const ConnectionOptions child = *h.layer().GetOptions(*c);
  EXPECT_TRUE(child.no_delay);
  EXPECT_EQ(child.send_buffer_bytes, 5000u);
  EXPECT_EQ(h.layer().SendSpace(*c), 5000u);
  EXPECT_EQ(h.Stats(*c).snd_mss, 1100u);
  // No delay: two small writes go at once, not held by Nagle.
  h.SendString(*c, "a");
  h.SendString(*c, "b");
  EXPECT_EQ(h.SentCount(), 2u);
  o.recv_buffer_bytes = 0;
  EXPECT_EQ(h.layer().SetListenerOptions(l, o).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h.layer().SetListenerOptions(ListenerId{.index = 9, .generation = 9}, {}).code(),
            absl::StatusCode::kNotFound);
}

// --- Window scale source ----------------------------------------------------------------------

TEST(WindowScaleSource, FollowsTheGivenSizeWhileTheBufferStaysSmall) {
  Harness h;
  ConnectionOptions o;
  o.recv_buffer_bytes = 64 * 1024;
  o.window_scale_buffer_bytes = 15 * 1024 * 1024;  // Linux's tcp_rmem[2] in the corpus
  h.Connect(kRemote, o);
  const SentSegment syn = h.ExpectSent(Syn().Ws(8));
  EXPECT_EQ(syn.header.window, 65535);
  h.Inject(SynAck().Seq(5000).Ack(h.iss() + 1).Win(65535).Mss(1460).Ws(7));
  const SentSegment ack = h.ExpectSent(Ack());
  EXPECT_EQ(uint32_t{ack.header.window} << 8, 64u * 1024) << "the window is the buffer's";
  o.window_scale_buffer_bytes = (size_t{65535} << 14) + 1;
  EXPECT_EQ(h.layer().Connect(kRemote, o, h.now(), Port(41000)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
