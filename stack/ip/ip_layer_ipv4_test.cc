// IpLayer: IPv4 receive checks and delivery, link filtering, and the send path.
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "stack/ip/ip_layer.h"
#include "stack/ip/ip_test_util.h"

namespace tcpaas::ip::iptest {
namespace {

using Ipv4Test = IpLayerFixture;

TEST_F(Ipv4Test, DeliversToTheRegisteredTransport) {
  MakeDefault();
  const Bytes segment = TcpSegment(80, 40000, 7, Pattern(100));
  Ipv4Spec spec;
  spec.ttl = 33;
  spec.tos = 0x10;
  spec.df = true;
  ReceiveIpv4(Ipv4Packet(spec, segment));

  ASSERT_EQ(tcp_.packets.size(), 1u);
  const FakeTransport::Packet& p = tcp_.packets[0];
  EXPECT_EQ(p.info.src, kPeerIp);
  EXPECT_EQ(p.info.dst, kOurIp);
  EXPECT_EQ(p.info.protocol, kProtoTcp);
  EXPECT_EQ(p.info.ttl, 33);
  EXPECT_EQ(p.info.tos, 0x10);
  EXPECT_FALSE(p.info.was_fragmented);
  EXPECT_EQ(p.segment, segment);
  EXPECT_EQ(counters_.ipv4_packets_rx, 1u);
  EXPECT_EQ(counters_.TotalDrops(), 0u);
  EXPECT_TRUE(sink_.Take().empty());
}

TEST_F(Ipv4Test, OptionsAreSkipped) {
  MakeDefault();
  const Bytes segment = TcpSegment(80, 40000, 7, Pattern(5));
  Ipv4Spec spec;
  spec.option_bytes = 12;
  ReceiveIpv4(Ipv4Packet(spec, segment));
  ASSERT_EQ(tcp_.packets.size(), 1u);
  EXPECT_EQ(tcp_.packets[0].segment, segment);
}

TEST_F(Ipv4Test, EthernetPaddingIsNotPartOfTheSegment) {
  MakeDefault();
  const Bytes segment = TcpSegment(80, 40000, 7);
  ReceiveIpv4(Concat(Ipv4Packet(Ipv4Spec{}, segment), Bytes(6, 0)));
  ASSERT_EQ(tcp_.packets.size(), 1u);
  EXPECT_EQ(tcp_.packets[0].segment, segment);
}

TEST_F(Ipv4Test, BroadcastDestinationsAreDelivered) {
  for (Ipv4Address dst : {Ipv4Address::Broadcast(), kSubnetBroadcast}) {
    SCOPED_TRACE(dst.ToString());
    tcp_.packets.clear();
    MakeDefault();
    Ipv4Spec spec;
    spec.dst = dst;
    ReceiveIpv4(Ipv4Packet(spec, TcpSegment(1, 2, 3)), MacAddress::Broadcast());
    ASSERT_EQ(tcp_.packets.size(), 1u);
    EXPECT_EQ(tcp_.packets[0].info.dst, dst);
  }
}

TEST_F(Ipv4Test, BadHeaderChecksumIsDropped) {
  MakeDefault();
  Bytes datagram = Ipv4Packet(Ipv4Spec{}, TcpSegment(1, 2, 3));
  datagram[8] ^= 0x01;  // TTL changed after the checksum was computed
  ReceiveIpv4(datagram);
  EXPECT_TRUE(tcp_.packets.empty());
  ExpectOnlyDrops(counters_, DropReason::kIpv4BadChecksum, 1);
}

TEST_F(Ipv4Test, DatagramsForOtherAddressesAreDropped) {
  for (Ipv4Address dst : {kOtherIp, kRemoteIp, Ipv4Address::FromOctets(224, 0, 0, 1)}) {
    SCOPED_TRACE(dst.ToString());
    counters_ = StackCounters();
    MakeDefault();
    Ipv4Spec spec;
    spec.dst = dst;
    ReceiveIpv4(Ipv4Packet(spec, TcpSegment(1, 2, 3)));
    EXPECT_TRUE(tcp_.packets.empty());
    ExpectOnlyDrops(counters_, DropReason::kIpv4NotForUs, 1);
  }
}

TEST_F(Ipv4Test, ImpossibleSourcesAreDropped) {
  // RFC 1122 §3.2.1.3.
  for (Ipv4Address src :
       {Ipv4Address::Broadcast(), kSubnetBroadcast, Ipv4Address::FromOctets(224, 0, 0, 5),
        Ipv4Address::FromOctets(127, 0, 0, 1), kOurIp}) {
    SCOPED_TRACE(src.ToString());
    counters_ = StackCounters();
    MakeDefault();
    Ipv4Spec spec;
    spec.src = src;
    ReceiveIpv4(Ipv4Packet(spec, TcpSegment(1, 2, 3)));
    EXPECT_TRUE(tcp_.packets.empty());
    ExpectOnlyDrops(counters_, DropReason::kIpv4Malformed, 1);
  }
}

struct MalformedCase {
  const char* name;
  Bytes datagram;
};

TEST_F(Ipv4Test, MalformedHeadersAreDropped) {
  const Bytes good = Ipv4Packet(Ipv4Spec{}, TcpSegment(1, 2, 3));
  auto with = [&good](size_t at, uint8_t value) {
    Bytes b = good;
    b[at] = value;
    return b;
  };
  const std::vector<MalformedCase> cases = {
      {"empty", {}},
      {"shorter than a header", Bytes(good.begin(), good.begin() + 19)},
      {"version 6", with(0, 0x65)},
      {"IHL 4", with(0, 0x44)},
      {"IHL beyond the packet", with(0, 0x4f)},
      {"total length beyond the packet", with(3, static_cast<uint8_t>(good.size() + 1))},
      {"total length inside the header", with(3, 19)},
  };
  for (const MalformedCase& c : cases) {
    SCOPED_TRACE(c.name);
    counters_ = StackCounters();
    MakeDefault();
    ReceiveIpv4(c.datagram);
    EXPECT_TRUE(tcp_.packets.empty());
    ExpectOnlyDrops(counters_, DropReason::kIpv4Malformed, 1);
  }
}

struct LinkCase {
  const char* name;
  Bytes frame;
  DropReason reason;
};

TEST_F(Ipv4Test, LinkFramesNotForUsAreDropped) {
  const Bytes datagram = Ipv4Packet(Ipv4Spec{}, TcpSegment(1, 2, 3));
  const MacAddress multicast({0x01, 0x00, 0x5e, 0x00, 0x00, 0x01});
  const std::vector<LinkCase> cases = {
      {"shorter than the header", Bytes(13, 0), DropReason::kLinkTooShort},
      {"another host's MAC", EthernetFrame(kOtherMac, kPeerMac, wire::kEtherTypeIpv4, datagram),
       DropReason::kLinkNotForUs},
      {"multicast MAC", EthernetFrame(multicast, kPeerMac, wire::kEtherTypeIpv4, datagram),
       DropReason::kLinkNotForUs},
      {"IPv6", EthernetFrame(kOurMac, kPeerMac, wire::kEtherTypeIpv6, datagram),
       DropReason::kLinkUnknownEtherType},
      {"LLDP", EthernetFrame(kOurMac, kPeerMac, 0x88cc, datagram),
       DropReason::kLinkUnknownEtherType},
  };
  for (const LinkCase& c : cases) {
    SCOPED_TRACE(c.name);
    counters_ = StackCounters();
    MakeDefault();
    Receive(c.frame);
    EXPECT_TRUE(tcp_.packets.empty());
    ExpectOnlyDrops(counters_, c.reason, 1);
    EXPECT_EQ(counters_.ipv4_packets_rx, 0u);
  }
}

TEST_F(Ipv4Test, SendBuildsTheHeaderWithOurTtlAndDf) {
  InterfaceConfig config = TestConfig();
  config.ttl = 99;
  Make(config);
  layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
  const Bytes segment = TcpSegment(40000, 80, 5, Pattern(30));
  ASSERT_TRUE(SendTcp(kPeerIp, segment).ok());
  ASSERT_TRUE(SendTcp(kPeerIp, segment).ok());

  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 2u);
  std::optional<wire::EthernetView> eth = wire::EthernetView::Parse(frames[0]);
  ASSERT_TRUE(eth.has_value());
  EXPECT_EQ(eth->dst(), kPeerMac);
  EXPECT_EQ(eth->src(), kOurMac);
  EXPECT_EQ(eth->ethertype(), wire::kEtherTypeIpv4);
  std::optional<wire::Ipv4View> ip = SentIpv4(frames[0]);
  ASSERT_TRUE(ip.has_value());
  EXPECT_TRUE(ip->checksum_ok());
  EXPECT_EQ(ip->header_length(), 20u);
  EXPECT_EQ(ip->total_length(), 20 + segment.size());
  EXPECT_EQ(ip->ttl(), 99);
  EXPECT_TRUE(ip->dont_fragment());
  EXPECT_FALSE(ip->is_fragment());
  EXPECT_EQ(ip->protocol(), kProtoTcp);
  EXPECT_EQ(ip->src(), kOurIp);
  EXPECT_EQ(ip->dst(), kPeerIp);
  EXPECT_EQ(Bytes(ip->payload().begin(), ip->payload().end()), segment);
  EXPECT_EQ(frames[0].size(), wire::kEthernetHeaderSize + 20 + segment.size());

  std::optional<wire::Ipv4View> next = SentIpv4(frames[1]);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->id(), static_cast<uint16_t>(ip->id() + 1));
  EXPECT_EQ(counters_.ipv4_packets_tx, 2u);
}

TEST_F(Ipv4Test, DatagramsLargerThanTheMtuAreRefused) {
  MakeDefault();
  layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
  EXPECT_EQ(layer_->MaxPayload(kPeerIp), 1480u);
  EXPECT_TRUE(SendTcp(kPeerIp, Bytes(1480, 0)).ok());
  absl::Status too_big = SendTcp(kPeerIp, Bytes(1481, 0));
  EXPECT_TRUE(absl::IsInvalidArgument(too_big)) << too_big;
  ExpectOnlyDrops(counters_, DropReason::kIpv4TooBig, 1);
  EXPECT_EQ(sink_.Take().size(), 1u);
}

TEST_F(Ipv4Test, NoRouteWithoutAGateway) {
  InterfaceConfig config = TestConfig();
  config.gateway.reset();
  Make(config);
  absl::Status s = SendTcp(kRemoteIp, TcpSegment(1, 2, 3));
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "no route to 198.19.7.7")) << s;
  ExpectOnlyDrops(counters_, DropReason::kIpv4NoRoute, 1);
  EXPECT_TRUE(sink_.Take().empty());
}

TEST_F(Ipv4Test, RefusesToSendToItselfLoopbackOrGroups) {
  for (Ipv4Address dst :
       {kOurIp, Ipv4Address::FromOctets(127, 0, 0, 1), Ipv4Address::Any(), Ipv4Address::Broadcast(),
        kSubnetBroadcast, Ipv4Address::FromOctets(239, 1, 1, 1)}) {
    SCOPED_TRACE(dst.ToString());
    counters_ = StackCounters();
    MakeDefault();
    absl::Status s = SendTcp(dst, TcpSegment(1, 2, 3));
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
    ExpectOnlyDrops(counters_, DropReason::kIpv4NoRoute, 1);
    EXPECT_TRUE(sink_.Take().empty());
  }
}

TEST_F(Ipv4Test, BuffersWithoutHeadroomAreCopied) {
  MakeDefault();
  layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
  const Bytes segment = TcpSegment(1, 2, 3);
  PacketBuffer bare(segment.size(), 0);
  bare.Append(segment);
  ASSERT_TRUE(layer_->SendIpv4(kPeerIp, kProtoTcp, std::move(bare), now_).ok());
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  std::optional<wire::Ipv4View> ip = SentIpv4(frames[0]);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(Bytes(ip->payload().begin(), ip->payload().end()), segment);
}

TEST_F(Ipv4Test, RecycledBuffersAreReused) {
  MakeDefault();
  layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
  PacketBuffer first = layer_->AllocPacket();
  EXPECT_EQ(first.headroom(), kDefaultHeadroom);
  EXPECT_GE(first.tailroom(), layer_->MaxPayload(kPeerIp));
  const uint8_t* storage = first.data();
  first.Append(TcpSegment(1, 2, 3));
  ASSERT_TRUE(layer_->SendIpv4(kPeerIp, kProtoTcp, std::move(first), now_).ok());
  ASSERT_EQ(sink_.buffers.size(), 1u);
  layer_->Recycle(std::move(sink_.buffers[0]));
  EXPECT_EQ(layer_->AllocPacket().data(), storage);
}

}  // namespace
}  // namespace tcpaas::ip::iptest
