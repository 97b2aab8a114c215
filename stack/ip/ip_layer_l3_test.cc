// IpLayer on an L3 device (TUN, utun): bare IPv4 packets, no Ethernet, no ARP.
#include <vector>

#include "gtest/gtest.h"
#include "stack/ip/ip_layer.h"
#include "stack/ip/ip_test_util.h"

namespace tcpaas::ip::iptest {
namespace {

class L3Test : public IpLayerFixture {
 protected:
  void SetUp() override { Make(TestConfig(link::LinkLayer::kIp)); }
};

TEST_F(L3Test, StartAnnouncesNothing) {
  layer_->Start(now_);
  EXPECT_TRUE(sink_.Take().empty());
  EXPECT_EQ(layer_->NextDeadline(), Instant::Never());
}

TEST_F(L3Test, SendsBarePacketsWithoutResolving) {
  const Bytes segment = TcpSegment(40000, 80, 1);
  for (Ipv4Address dst : {kPeerIp, kRemoteIp}) {
    ASSERT_TRUE(SendTcp(dst, segment).ok());
    std::vector<Bytes> frames = sink_.Take();
    ASSERT_EQ(frames.size(), 1u);
    ASSERT_EQ(frames[0].size(), 20 + segment.size());
    std::optional<wire::Ipv4View> ip = wire::Ipv4View::Parse(frames[0]);
    ASSERT_TRUE(ip.has_value());
    EXPECT_EQ(ip->dst(), dst);
    EXPECT_EQ(Bytes(ip->payload().begin(), ip->payload().end()), segment);
  }
  EXPECT_EQ(counters_.arp_requests_tx, 0u);
  EXPECT_EQ(layer_->LookupNeighbor(kPeerIp), std::nullopt);
  EXPECT_EQ(layer_->NextDeadline(), Instant::Never());
}

TEST_F(L3Test, ReceivesBarePackets) {
  const Bytes segment = TcpSegment(80, 40000, 1);
  Receive(Ipv4Packet(Ipv4Spec{}, segment));
  ASSERT_EQ(tcp_.packets.size(), 1u);
  EXPECT_EQ(tcp_.packets[0].segment, segment);
}

TEST_F(L3Test, EchoReplyIsBare) {
  Ipv4Spec spec;
  spec.protocol = kProtoIcmp;
  Receive(Ipv4Packet(spec, IcmpMessage(wire::kIcmpEchoRequest, 0, 0x00010001, Pattern(4))));
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  std::optional<wire::Ipv4View> ip = wire::Ipv4View::Parse(frames[0]);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(Bytes(ip->payload().begin(), ip->payload().end()),
            IcmpMessage(wire::kIcmpEchoReply, 0, 0x00010001, Pattern(4)));
}

struct L3DropCase {
  const char* name;
  Bytes packet;
  DropReason reason;
};

TEST_F(L3Test, OtherPacketsAreDropped) {
  Bytes ipv6(40, 0);
  ipv6[0] = 0x60;
  Bytes version5 = Ipv4Packet(Ipv4Spec{}, TcpSegment(1, 2, 3));
  version5[0] = 0x55;
  // An Ethernet frame handed to an L3 device starts with a MAC address, not a version.
  Bytes ethernet = EthernetFrame(kOurMac, kPeerMac, wire::kEtherTypeIpv4,
                                 Ipv4Packet(Ipv4Spec{}, TcpSegment(1, 2, 3)));
  const std::vector<L3DropCase> cases = {
      {"empty", {}, DropReason::kLinkTooShort},
      {"IPv6", ipv6, DropReason::kLinkUnknownEtherType},
      {"version 5", version5, DropReason::kIpv4Malformed},
      {"Ethernet frame", ethernet, DropReason::kIpv4Malformed},
  };
  for (const L3DropCase& c : cases) {
    SCOPED_TRACE(c.name);
    counters_ = StackCounters();
    Make(TestConfig(link::LinkLayer::kIp));
    Receive(c.packet);
    EXPECT_TRUE(tcp_.packets.empty());
    ExpectOnlyDrops(counters_, c.reason, 1);
  }
}

}  // namespace
}  // namespace tcpaas::ip::iptest
