// IpLayer: ICMP echo, errors in (to transports and the path MTU) and errors out.
#include <vector>

#include "gtest/gtest.h"
#include "stack/ip/ip_layer.h"
#include "stack/ip/ip_test_util.h"

namespace tcpaas::ip::iptest {
namespace {

class IcmpTest : public IpLayerFixture {
 protected:
  void SetUp() override { Prepare(TestConfig()); }
  void Prepare(const InterfaceConfig& config) {
    Make(config);
    layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
    layer_->AddStaticNeighbor(kGatewayIp, kGatewayMac);
  }

  // An ICMP message from `from` to us.
  void ReceiveIcmp(const Bytes& message, Ipv4Address from = kPeerIp, Ipv4Address to = kOurIp) {
    Ipv4Spec spec;
    spec.src = from;
    spec.dst = to;
    spec.protocol = kProtoIcmp;
    ReceiveIpv4(Ipv4Packet(spec, message), to == kOurIp ? kOurMac : MacAddress::Broadcast());
  }

  // The datagram we sent to `dst` (a TCP segment), as a router would quote it back: the
  // header and the first `quoted_bytes` of the segment.
  Bytes OurDatagram(Ipv4Address dst, size_t segment_size = 40) {
    Ipv4Spec spec;
    spec.src = kOurIp;
    spec.dst = dst;
    spec.df = true;
    return Ipv4Packet(spec, TcpSegment(40000, 443, 0x01020304, Pattern(segment_size - 20)));
  }
  static Bytes Quote(const Bytes& datagram, size_t transport_bytes = 8) {
    return Bytes(datagram.begin(), datagram.begin() + 20 + transport_bytes);
  }

  // The ICMP message in the only frame sent, checked to go to `dst`.
  Bytes OnlyIcmpSent(Ipv4Address dst) {
    std::vector<Bytes> frames = sink_.Take();
    EXPECT_EQ(frames.size(), 1u);
    if (frames.size() != 1) return {};
    std::optional<wire::Ipv4View> ip = SentIpv4(frames[0]);
    EXPECT_TRUE(ip.has_value());
    if (!ip.has_value()) return {};
    EXPECT_EQ(ip->dst(), dst);
    EXPECT_EQ(ip->protocol(), kProtoIcmp);
    return Bytes(ip->payload().begin(), ip->payload().end());
  }
};

TEST_F(IcmpTest, EchoReplyIsByteExact) {
  const Bytes data = Pattern(56, 3);
  ReceiveIcmp(IcmpMessage(wire::kIcmpEchoRequest, 0, 0x12340007, data));

  Ipv4Spec reply;
  reply.src = kOurIp;
  reply.dst = kPeerIp;
  reply.protocol = kProtoIcmp;
  reply.id = 0;  // the first datagram this layer sends
  reply.df = true;
  const Bytes expected =
      EthernetFrame(kPeerMac, kOurMac, wire::kEtherTypeIpv4,
                    Ipv4Packet(reply, IcmpMessage(wire::kIcmpEchoReply, 0, 0x12340007, data)));
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], expected);
  EXPECT_EQ(counters_.icmp_echo_replies_tx, 1u);
  EXPECT_EQ(counters_.TotalDrops(), 0u);
}

TEST_F(IcmpTest, EchoRequestsToBroadcastAreIgnored) {
  ReceiveIcmp(IcmpMessage(wire::kIcmpEchoRequest, 0, 1, Pattern(8)), kPeerIp, kSubnetBroadcast);
  EXPECT_TRUE(sink_.Take().empty());
  ExpectOnlyDrops(counters_, DropReason::kIcmpUnhandled, 1);
}

TEST_F(IcmpTest, BadChecksumAndShortMessagesAreDropped) {
  Bytes corrupt = IcmpMessage(wire::kIcmpEchoRequest, 0, 1, Pattern(8));
  corrupt[9] ^= 0xff;
  ReceiveIcmp(corrupt);
  ExpectOnlyDrops(counters_, DropReason::kIcmpBadChecksum, 1);
  counters_ = StackCounters();
  ReceiveIcmp(Bytes{8, 0, 0xf7, 0xff});
  ExpectOnlyDrops(counters_, DropReason::kIcmpMalformed, 1);
  EXPECT_TRUE(sink_.Take().empty());
}

TEST_F(IcmpTest, OtherTypesAreCountedUnhandled) {
  for (uint8_t type : {uint8_t{4}, uint8_t{5}, uint8_t{13}, wire::kIcmpEchoReply}) {
    ReceiveIcmp(IcmpMessage(type, 0, 0, Quote(OurDatagram(kPeerIp))));
  }
  ExpectOnlyDrops(counters_, DropReason::kIcmpUnhandled, 4);
  EXPECT_TRUE(tcp_.errors.empty());
}

TEST_F(IcmpTest, EchoRepliesReachTheHandler) {
  std::vector<EchoReply> replies;
  Bytes payload;
  layer_->SetEchoReplyHandler([&](const EchoReply& r, Instant) {
    replies.push_back(r);
    payload.assign(r.payload.begin(), r.payload.end());
  });
  ReceiveIcmp(IcmpMessage(wire::kIcmpEchoReply, 0, 0x00050006, Pattern(12)));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].from, kPeerIp);
  EXPECT_EQ(replies[0].id, 5);
  EXPECT_EQ(replies[0].seq, 6);
  EXPECT_EQ(payload, Pattern(12));
  EXPECT_EQ(counters_.TotalDrops(), 0u);
}

TEST_F(IcmpTest, SendEchoRequest) {
  ASSERT_TRUE(layer_->SendEchoRequest(kPeerIp, 9, 10, Pattern(20), now_).ok());
  EXPECT_EQ(OnlyIcmpSent(kPeerIp), IcmpMessage(wire::kIcmpEchoRequest, 0, 0x0009000a, Pattern(20)));
  absl::Status too_big = layer_->SendEchoRequest(kPeerIp, 9, 11, Bytes(1473, 0), now_);
  EXPECT_TRUE(absl::IsInvalidArgument(too_big)) << too_big;
}

struct ErrorKindCase {
  uint8_t type;
  uint8_t code;
  IcmpErrorKind kind;
};

TEST_F(IcmpTest, ErrorsReachTheTransportWithTheFlow) {
  const std::vector<ErrorKindCase> cases = {
      {3, 0, IcmpErrorKind::kNetUnreachable},      {3, 1, IcmpErrorKind::kHostUnreachable},
      {3, 2, IcmpErrorKind::kProtocolUnreachable}, {3, 3, IcmpErrorKind::kPortUnreachable},
      {3, 13, IcmpErrorKind::kAdminProhibited},    {3, 10, IcmpErrorKind::kAdminProhibited},
      {3, 7, IcmpErrorKind::kHostUnreachable},     {3, 15, IcmpErrorKind::kOther},
      {11, 0, IcmpErrorKind::kTimeExceeded},       {12, 0, IcmpErrorKind::kParameterProblem},
  };
  const Bytes ours = OurDatagram(kRemoteIp);
  for (const ErrorKindCase& c : cases) {
    SCOPED_TRACE(testing::Message() << "type " << int{c.type} << " code " << int{c.code});
    tcp_.errors.clear();
    ReceiveIcmp(IcmpMessage(c.type, c.code, 0, Quote(ours)), kGatewayIp);
    ASSERT_EQ(tcp_.errors.size(), 1u);
    const IcmpError& e = tcp_.errors[0].error;
    EXPECT_EQ(e.kind, c.kind);
    EXPECT_EQ(e.type, c.type);
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.original_src, kOurIp);
    EXPECT_EQ(e.original_dst, kRemoteIp);
    EXPECT_EQ(e.protocol, kProtoTcp);
    // Ports 40000 -> 443 and the sequence number.
    EXPECT_EQ(tcp_.errors[0].transport, Bytes(ours.begin() + 20, ours.begin() + 28));
  }
  EXPECT_EQ(counters_.icmp_errors_rx, cases.size());
  EXPECT_EQ(counters_.TotalDrops(), 0u);
}

TEST_F(IcmpTest, LongerQuotesArePassedWhole) {
  const Bytes ours = OurDatagram(kRemoteIp, 60);
  ReceiveIcmp(IcmpMessage(3, 3, 0, ours), kGatewayIp);
  ASSERT_EQ(tcp_.errors.size(), 1u);
  EXPECT_EQ(tcp_.errors[0].transport, Bytes(ours.begin() + 20, ours.end()));
}

TEST_F(IcmpTest, ErrorsNotAboutOurDatagramsAreDropped) {
  Bytes foreign = OurDatagram(kRemoteIp);
  foreign[15] = 99;  // source 198.18.0.99 (checksum of the quote is not checked)
  Bytes later_fragment = OurDatagram(kRemoteIp);
  later_fragment[7] = 1;  // offset 8
  const std::vector<Bytes> quotes = {Quote(foreign), Quote(OurDatagram(kRemoteIp), 7),
                                     Quote(later_fragment), Bytes(19, 0x45)};
  for (const Bytes& q : quotes) ReceiveIcmp(IcmpMessage(3, 1, 0, q), kGatewayIp);
  EXPECT_TRUE(tcp_.errors.empty());
  ExpectOnlyDrops(counters_, DropReason::kIcmpMalformed, quotes.size());
}

TEST_F(IcmpTest, ErrorsForProtocolsWithoutATransportAreUnhandled) {
  Ipv4Spec spec;
  spec.src = kOurIp;
  spec.dst = kRemoteIp;
  spec.protocol = kProtoUdp;
  ReceiveIcmp(IcmpMessage(3, 3, 0, Quote(Ipv4Packet(spec, Pattern(8)))), kGatewayIp);
  ExpectOnlyDrops(counters_, DropReason::kIcmpUnhandled, 1);
}

TEST_F(IcmpTest, FragmentationNeededWaitsForTheTransportToBelieveIt) {
  // RFC 5927 §7.2: the transport checks the quote first (tcp_ here does not believe it).
  ReceiveIcmp(IcmpMessage(3, 4, 1400, Quote(OurDatagram(kRemoteIp, 1480))), kGatewayIp);
  ASSERT_EQ(tcp_.errors.size(), 1u);
  EXPECT_EQ(tcp_.errors[0].error.next_hop_mtu, 1400);
  EXPECT_EQ(tcp_.errors[0].error.original_total_length, 1500);
  EXPECT_EQ(layer_->MaxPayload(kRemoteIp), 1480u);
}

TEST_F(IcmpTest, FragmentationNeededLowersMaxPayloadUntilItExpires) {
  tcp_.believe = layer_.get();
  EXPECT_EQ(layer_->MaxPayload(kRemoteIp), 1480u);
  ReceiveIcmp(IcmpMessage(3, 4, 1400, Quote(OurDatagram(kRemoteIp, 1480))), kGatewayIp);
  EXPECT_EQ(layer_->MaxPayload(kRemoteIp), 1380u);
  EXPECT_EQ(layer_->MaxPayload(kPeerIp), 1480u);  // other destinations are unaffected
  ASSERT_EQ(tcp_.errors.size(), 1u);
  EXPECT_EQ(tcp_.errors[0].error.kind, IcmpErrorKind::kFragmentationNeeded);
  EXPECT_EQ(tcp_.errors[0].error.next_hop_mtu, 1400);

  // RFC 1191 §6.3: after the expiry (600 s here) the estimate returns to the link MTU.
  EXPECT_EQ(layer_->NextDeadline(), now_ + Duration::Seconds(600));
  RunUntil(now_ + Duration::Seconds(599));
  EXPECT_EQ(layer_->MaxPayload(kRemoteIp), 1380u);
  RunUntil(now_ + Duration::Seconds(1));
  EXPECT_EQ(layer_->MaxPayload(kRemoteIp), 1480u);
}

struct PmtuCase {
  const char* name;
  uint16_t next_hop_mtu;
  size_t quoted_total;
  size_t expected_path_mtu;
};

TEST_F(IcmpTest, FragmentationNeededValues) {
  const std::vector<PmtuCase> cases = {
      {"plain", 1280, 1500, 1280},
      {"old router: plateau below the quoted length", 0, 1500, 1492},
      {"old router, small datagram", 0, 600, 508},
      {"below 68 is ignored", 67, 1500, 1500},
      {"68 is accepted", 68, 1500, 68},
      {"not lower than the link MTU", 1500, 1500, 1500},
      {"larger than the link MTU", 9000, 1500, 1500},
  };
  for (const PmtuCase& c : cases) {
    SCOPED_TRACE(c.name);
    Prepare(TestConfig());
    tcp_.believe = layer_.get();
    ReceiveIcmp(
        IcmpMessage(3, 4, c.next_hop_mtu, Quote(OurDatagram(kRemoteIp, c.quoted_total - 20))),
        kGatewayIp);
    EXPECT_EQ(layer_->MaxPayload(kRemoteIp) + 20, c.expected_path_mtu);
  }
}

TEST_F(IcmpTest, UnknownProtocolGetsProtocolUnreachable) {
  Ipv4Spec spec;
  spec.protocol = kProtoUdp;
  const Bytes datagram = Ipv4Packet(spec, Pattern(30));
  ReceiveIpv4(datagram);
  // RFC 1122 §3.2.2.1, quoting the whole (small) datagram.
  EXPECT_EQ(OnlyIcmpSent(kPeerIp), IcmpMessage(wire::kIcmpDestUnreachable,
                                               wire::kIcmpCodeProtocolUnreachable, 0, datagram));
  ExpectOnlyDrops(counters_, DropReason::kIpv4UnknownProtocol, 1);
  EXPECT_EQ(counters_.icmp_errors_tx, 1u);
}

TEST_F(IcmpTest, ErrorQuotesAreCutTo576Bytes) {
  Ipv4Spec spec;
  spec.protocol = kProtoUdp;
  const Bytes datagram = Ipv4Packet(spec, Pattern(1000));
  ReceiveIpv4(datagram);
  const Bytes message = OnlyIcmpSent(kPeerIp);
  EXPECT_EQ(message.size() + 20, 576u);
  EXPECT_EQ(message, IcmpMessage(3, 2, 0, absl::MakeConstSpan(datagram).first(548)));
}

TEST_F(IcmpTest, NoErrorsAboutBroadcasts) {
  Ipv4Spec spec;
  spec.protocol = kProtoUdp;
  spec.dst = kSubnetBroadcast;
  ReceiveIpv4(Ipv4Packet(spec, Pattern(8)), MacAddress::Broadcast());
  spec.dst = kOurIp;
  ReceiveIpv4(Ipv4Packet(spec, Pattern(8)), MacAddress::Broadcast());  // link broadcast
  EXPECT_TRUE(sink_.Take().empty());
  ExpectOnlyDrops(counters_, DropReason::kIpv4UnknownProtocol, 2);
}

TEST_F(IcmpTest, OutgoingErrorsAreRateLimited) {
  InterfaceConfig config = TestConfig();
  config.icmp_errors_per_second = 3;
  Prepare(config);
  Ipv4Spec spec;
  spec.protocol = kProtoUdp;
  const Bytes datagram = Ipv4Packet(spec, Pattern(8));
  for (int i = 0; i < 5; ++i) ReceiveIpv4(datagram);
  EXPECT_EQ(sink_.Take().size(), 3u);
  EXPECT_EQ(counters_.dropped(DropReason::kIcmpRateLimited), 2u);

  // One token per third of a second.
  now_ += Duration::Millis(333);
  ReceiveIpv4(datagram);
  EXPECT_TRUE(sink_.Take().empty());
  now_ += Duration::Millis(1);
  ReceiveIpv4(datagram);
  EXPECT_EQ(sink_.Take().size(), 1u);
  EXPECT_EQ(counters_.dropped(DropReason::kIcmpRateLimited), 3u);
  EXPECT_EQ(counters_.icmp_errors_tx, 4u);
}

}  // namespace
}  // namespace tcpaas::ip::iptest
