// ICMP errors about our segments: path MTU (RFC 1191), hard and soft errors by state
// (RFC 1122 §4.2.3.9, Linux tcp_v4_err), validated against the sequence space (RFC 5927);
// and, through a real IP layer, a connect to a silent neighbour that ARP gives up on.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "stack/ip/ip_layer.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"
#include "stack/wire/endian.h"

namespace tcpaas::tcp::testing {
namespace {

struct IcmpKind {
  const char* name;
  ip::IcmpErrorKind kind;
  uint8_t type;
  uint8_t code;
};

constexpr IcmpKind kNetUnreachable{"net_unreachable", ip::IcmpErrorKind::kNetUnreachable, 3, 0};
constexpr IcmpKind kHostUnreachable{"host_unreachable", ip::IcmpErrorKind::kHostUnreachable, 3, 1};
constexpr IcmpKind kProtocolUnreachable{"protocol_unreachable",
                                        ip::IcmpErrorKind::kProtocolUnreachable, 3, 2};
constexpr IcmpKind kPortUnreachable{"port_unreachable", ip::IcmpErrorKind::kPortUnreachable, 3, 3};
constexpr IcmpKind kHostUnknown{"host_unknown", ip::IcmpErrorKind::kHostUnreachable, 3, 7};
constexpr IcmpKind kAdminProhibited{"admin_prohibited", ip::IcmpErrorKind::kAdminProhibited, 3, 13};
constexpr IcmpKind kSourceRouteFailed{"source_route_failed", ip::IcmpErrorKind::kOther, 3, 5};
constexpr IcmpKind kTimeExceeded{"time_exceeded", ip::IcmpErrorKind::kTimeExceeded, 11, 0};

ip::IcmpError MakeIcmpError(const IcmpKind& k, SeqNum seq, Port local, Port remote,
                            uint16_t mtu = 0) {
  static uint8_t quoted[8];
  wire::Store16(quoted, local.value());
  wire::Store16(quoted + 2, remote.value());
  wire::Store32(quoted + 4, seq.raw());
  ip::IcmpError e;
  e.kind = k.kind;
  e.type = k.type;
  e.code = k.code;
  e.next_hop_mtu = mtu;
  e.original_src = kLocalAddr;
  e.original_dst = kRemoteAddr;
  e.protocol = ip::kProtoTcp;
  e.original_transport = absl::MakeConstSpan(quoted);
  return e;
}

ip::IcmpError FragmentationNeeded(SeqNum seq, uint16_t mtu) {
  return MakeIcmpError({"frag", ip::IcmpErrorKind::kFragmentationNeeded, 3, 4}, seq, kLocalPort,
                       kRemote.port, mtu);
}

TEST(Icmp, FragmentationNeededLowersTheMssAndResends) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  ASSERT_TRUE(h.layer().SetNoDelay(r.conn, true, h.now()).ok());
  h.SendString(r.conn, std::string(2920, 'p'));
  h.ExpectSent(Data(1460).Seq(r.our_nxt));
  h.ExpectSent(Data(1460).Seq(r.our_nxt + 1460));
  h.layer().OnIcmpError(FragmentationNeeded(r.our_nxt, 1000), h.now());
  EXPECT_EQ(h.ip().path_mtu_reports, 1) << "the connection believed it and told the IP layer";
  EXPECT_EQ(h.ip().MaxPayload(kRemoteAddr), 980u);
  h.ExpectSent(Data(960).Seq(r.our_nxt));
  h.ExpectSent(Data(960).Seq(r.our_nxt + 960));
  h.ExpectSent(Data(960).Seq(r.our_nxt + 1920));
  h.ExpectSent(Data(40).Seq(r.our_nxt + 2880));
  EXPECT_EQ(h.Stats(r.conn).snd_mss, 960u);
  EXPECT_EQ(h.Stats(r.conn).rto_timeouts, 0u);
}

TEST(Icmp, ErrorsQuotingSequenceNumbersNotInFlightAreIgnored) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  h.SendString(r.conn, "abc");
  h.PopSent();
  h.layer().OnIcmpError(FragmentationNeeded(r.our_nxt + 100, 1000), h.now());
  h.ExpectNothingSent("no retransmission for an error about data not in flight");
  EXPECT_EQ(h.counters().dropped(DropReason::kIcmpUnhandled), 1u);
  // RFC 5927 §7.2: nor does the path MTU come down for a (possibly forged) error like it.
  EXPECT_EQ(h.ip().path_mtu_reports, 0);
  EXPECT_EQ(h.ip().MaxPayload(kRemoteAddr), 1480u);
  // Not even an unreachable error ends a connect when it quotes the wrong sequence number.
  Harness h2;
  Reached r2 = ReachState(h2, TcpState::kSynSent);
  h2.layer().OnIcmpError(MakeIcmpError(kHostUnreachable, h2.iss() + 1, kLocalPort, kRemote.port),
                         h2.now());
  EXPECT_EQ(h2.State(r2.conn), TcpState::kSynSent);
}

// The path MTU belongs to the destination: when an error another connection to the same
// host believed has lowered it, this connection must size its segments to it as well, or
// every full-sized segment would be refused below and the transfer would stall.
TEST(Icmp, SegmentsFollowAPathMtuLoweredForAnotherFlow) {
  Harness h;
  Reached r = ReachState(h, TcpState::kEstablished);
  ASSERT_TRUE(h.layer().SetNoDelay(r.conn, true, h.now()).ok());
  h.ip().SetPathMtu(kRemoteAddr, 1000);  // as the IP layer after another flow's error
  h.SendString(r.conn, std::string(2000, 'p'));
  h.ExpectSent(Data(960).Seq(r.our_nxt));
  h.ExpectSent(Data(960).Seq(r.our_nxt + 960));
  h.ExpectSent(Data(80).Seq(r.our_nxt + 1920));
}

// --- Unreachable errors by state ----------------------------------------------------------

enum class Opening { kSynSent, kSimultaneousSynReceived, kPassiveSynReceived, kEstablished };

std::string OpeningName(Opening o) {
  switch (o) {
    case Opening::kSynSent:
      return "SynSent";
    case Opening::kSimultaneousSynReceived:
      return "SimultaneousSynReceived";
    case Opening::kPassiveSynReceived:
      return "PassiveSynReceived";
    case Opening::kEstablished:
      return "Established";
  }
  return "?";
}

enum class Outcome { kStaysOpen, kClosedUnreachable, kClosedRefused, kChildDropped };

struct UnreachableCase {
  Opening opening;
  IcmpKind icmp;
  Outcome outcome;
};

class IcmpByStateTest : public ::testing::TestWithParam<UnreachableCase> {};

TEST_P(IcmpByStateTest, AbortsOpensAsLinuxDoes) {
  const UnreachableCase& c = GetParam();
  Harness h;
  ConnId conn;
  SeqNum quoted;
  Port remote_port = kRemote.port;
  switch (c.opening) {
    case Opening::kSynSent:
    case Opening::kSimultaneousSynReceived:
    case Opening::kEstablished: {
      const TcpState state = c.opening == Opening::kSynSent       ? TcpState::kSynSent
                             : c.opening == Opening::kEstablished ? TcpState::kEstablished
                                                                  : TcpState::kSynReceived;
      Reached r = ReachState(h, state);
      conn = r.conn;
      quoted = h.iss();
      if (state == TcpState::kEstablished) {
        h.SendString(conn, "data");
        h.PopSent();
        quoted = r.our_nxt;
      }
      break;
    }
    case Opening::kPassiveSynReceived: {
      h.Listen(Port(80));
      h.set_peer(Port(80), Endpoint{kRemoteAddr, Port(3000)});
      h.Inject(Syn().Seq(5000).Win(65535).Mss(1460));
      quoted = h.ExpectSent(SynAck().Ack(5001)).seq();
      remote_port = Port(3000);
      ASSERT_EQ(h.layer().connection_count(), 1u);
      break;
    }
  }
  const Port local_port = c.opening == Opening::kPassiveSynReceived ? Port(80) : kLocalPort;
  h.layer().OnIcmpError(MakeIcmpError(c.icmp, quoted, local_port, remote_port), h.now());

  switch (c.outcome) {
    case Outcome::kStaysOpen:
      if (c.opening == Opening::kPassiveSynReceived) {
        EXPECT_EQ(h.layer().connection_count(), 1u);
      } else {
        EXPECT_NE(h.State(conn), TcpState::kClosed);
      }
      break;
    case Outcome::kClosedUnreachable:
    case Outcome::kClosedRefused:
      EXPECT_EQ(h.State(conn), TcpState::kClosed);
      EXPECT_EQ(h.Stats(conn).close_reason, c.outcome == Outcome::kClosedRefused
                                                ? CloseReason::kRefused
                                                : CloseReason::kUnreachable);
      EXPECT_TRUE(h.events().Has(TcpEventType::kClosed, conn));
      h.ExpectNothingSent("the open ends silently");
      break;
    case Outcome::kChildDropped:
      EXPECT_EQ(h.layer().connection_count(), 0u);
      h.ExpectNothingSent("the child ends silently");
      break;
  }
}

std::vector<UnreachableCase> UnreachableCases() {
  std::vector<UnreachableCase> cases;
  const IcmpKind all[] = {kNetUnreachable, kHostUnreachable, kProtocolUnreachable, kPortUnreachable,
                          kHostUnknown,    kAdminProhibited, kSourceRouteFailed,   kTimeExceeded};
  for (const IcmpKind& k : all) {
    const bool unreachable = k.type == 3;
    const bool port = k.kind == ip::IcmpErrorKind::kPortUnreachable;
    const Outcome active = !unreachable ? Outcome::kStaysOpen
                           : port       ? Outcome::kClosedRefused
                                        : Outcome::kClosedUnreachable;
    cases.push_back({Opening::kSynSent, k, active});
    cases.push_back({Opening::kSimultaneousSynReceived, k, active});
    // Passive children: only Linux's fatal codes (not net/host unreachable, source route).
    const bool fatal = unreachable && k.code != 0 && k.code != 1 && k.code != 5;
    cases.push_back(
        {Opening::kPassiveSynReceived, k, fatal ? Outcome::kChildDropped : Outcome::kStaysOpen});
    cases.push_back({Opening::kEstablished, k, Outcome::kStaysOpen});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Rfc1122, IcmpByStateTest, ::testing::ValuesIn(UnreachableCases()),
                         [](const ::testing::TestParamInfo<UnreachableCase>& info) {
                           return OpeningName(info.param.opening) + "_" + info.param.icmp.name;
                         });

TEST(Icmp, HostUnreachableEndsAConnectAtOnce) {
  // The IP layer reports an ARP failure this way: no need to wait for 6 SYN timeouts.
  Harness h;
  Reached r = ReachState(h, TcpState::kSynSent);
  h.layer().OnIcmpError(MakeIcmpError(kHostUnreachable, h.iss(), kLocalPort, kRemote.port),
                        h.now());
  EXPECT_EQ(h.State(r.conn), TcpState::kClosed);
  EXPECT_EQ(h.Stats(r.conn).close_reason, CloseReason::kUnreachable);
  EXPECT_EQ(h.layer().NextDeadline(), Instant::Never()) << "no SYN retransmission left";
}

TEST(Icmp, SoftErrorWhenEstablishedIsReportedIfTheConnectionTimesOut) {
  TcpConfig config = TestConfig();
  config.retries2 = 2;
  Harness h(config);
  Reached r = ReachState(h, TcpState::kEstablished);
  h.SendString(r.conn, "abc");
  h.PopSent();
  h.layer().OnIcmpError(MakeIcmpError(kHostUnreachable, r.our_nxt, kLocalPort, kRemote.port),
                        h.now());
  EXPECT_EQ(h.State(r.conn), TcpState::kEstablished);
  while (h.State(r.conn) != TcpState::kClosed && h.RunNextTimer()) {
  }
  EXPECT_EQ(h.Stats(r.conn).close_reason, CloseReason::kUnreachable);
}

// --- Through the IP layer: ARP gives up on a silent neighbour ------------------------------

class DiscardingSink : public ip::FrameSink {
 public:
  void OutputFrame(PacketBuffer frame) override { ++frames; }
  int frames = 0;
};

TEST(IcmpThroughIpLayer, ConnectToASilentNeighbourFailsWhenArpGivesUp) {
  ip::InterfaceConfig ip_config;
  ip_config.mac = MacAddress({0x02, 0, 0, 0, 0, 0x02});
  ip_config.address = Ipv4Cidr{kLocalAddr, 24};
  StackCounters counters;
  DiscardingSink sink;
  ip::IpLayer ip(ip_config, &counters, &sink);
  TcpLayer tcp(TestConfig(), &ip, &counters);
  ip.RegisterTransport(ip::kProtoTcp, &tcp);
  EventRecorder events;
  tcp.SetEventHandler(&events);

  const Instant start = Instant::Zero() + Duration::Seconds(1000);
  ip.Start(start);
  const Endpoint silent{Ipv4Address::FromOctets(198, 18, 0, 9), Port(80)};
  absl::StatusOr<ConnId> conn = tcp.Connect(silent, ConnectionOptions{}, start);
  ASSERT_TRUE(conn.ok()) << conn.status();

  Instant now = start;
  while (!events.Has(TcpEventType::kClosed, *conn) && now < start + Duration::Seconds(200)) {
    now = Earliest(ip.NextDeadline(), tcp.NextDeadline());
    ASSERT_FALSE(now.is_never());
    ip.Poll(now);
    tcp.Poll(now);
  }
  ASSERT_TRUE(events.Has(TcpEventType::kClosed, *conn));
  EXPECT_EQ(events.Last(TcpEventType::kClosed, *conn)->reason, CloseReason::kUnreachable);
  // Three ARP requests one second apart (the IP layer's defaults), then failure: ~3 s.
  EXPECT_GE(now - start, Duration::Seconds(2));
  EXPECT_LE(now - start, Duration::Seconds(4));
  EXPECT_GE(counters.dropped(DropReason::kArpUnresolved), 1u);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
