// IpLayer on an Ethernet device: ARP answers, learning, resolution queues, retries, expiry.
#include <vector>

#include "gtest/gtest.h"
#include "stack/ip/ip_layer.h"
#include "stack/ip/ip_test_util.h"

namespace tcpaas::ip::iptest {
namespace {

using ArpTest = IpLayerFixture;

wire::ArpPacket ParseArpFrame(const Bytes& frame, MacAddress expected_link_dst) {
  std::optional<wire::EthernetView> eth = wire::EthernetView::Parse(frame);
  EXPECT_TRUE(eth.has_value());
  if (!eth.has_value()) return {};
  EXPECT_EQ(eth->dst(), expected_link_dst);
  EXPECT_EQ(eth->src(), kOurMac);
  EXPECT_EQ(eth->ethertype(), wire::kEtherTypeArp);
  std::optional<wire::ArpPacket> arp = wire::ArpPacket::Parse(eth->payload());
  EXPECT_TRUE(arp.has_value());
  return arp.value_or(wire::ArpPacket{});
}

void ExpectArpRequestFor(const Bytes& frame, Ipv4Address target) {
  wire::ArpPacket arp = ParseArpFrame(frame, MacAddress::Broadcast());
  EXPECT_EQ(arp.op, wire::kArpOpRequest);
  EXPECT_EQ(arp.sender_mac, kOurMac);
  EXPECT_EQ(arp.sender_ip, kOurIp);
  EXPECT_EQ(arp.target_mac, MacAddress());
  EXPECT_EQ(arp.target_ip, target);
}

TEST_F(ArpTest, RepliesToRequestForUsAndLearnsTheAsker) {
  MakeDefault();
  Receive(ArpRequestFrame(kPeerMac, kPeerIp, kOurIp));

  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0],
            EthernetFrame(kPeerMac, kOurMac, wire::kEtherTypeArp,
                          ArpBytes(wire::kArpOpReply, kOurMac, kOurIp, kPeerMac, kPeerIp)));
  EXPECT_EQ(layer_->LookupNeighbor(kPeerIp), kPeerMac);
  EXPECT_EQ(counters_.arp_replies_tx, 1u);
  EXPECT_EQ(counters_.TotalDrops(), 0u);
}

TEST_F(ArpTest, IgnoresRequestsForOthersButMergesAnExistingEntry) {
  MakeDefault();
  // A stranger asking for someone else: not answered, not learned.
  Receive(ArpRequestFrame(kOtherMac, kOtherIp, kPeerIp));
  EXPECT_TRUE(sink_.Take().empty());
  EXPECT_EQ(layer_->LookupNeighbor(kOtherIp), std::nullopt);

  // Once known, RFC 826's merge step updates it even from packets not for us.
  Receive(ArpRequestFrame(kOtherMac, kOtherIp, kOurIp));
  sink_.Take();
  ASSERT_EQ(layer_->LookupNeighbor(kOtherIp), kOtherMac);
  const MacAddress moved({0x02, 0x00, 0x00, 0x00, 0x00, 0x33});
  Receive(ArpRequestFrame(moved, kOtherIp, kPeerIp));
  EXPECT_TRUE(sink_.Take().empty());
  EXPECT_EQ(layer_->LookupNeighbor(kOtherIp), moved);
  EXPECT_EQ(counters_.TotalDrops(), 0u);
}

TEST_F(ArpTest, ResolvesThenSendsQueuedDatagramsInOrder) {
  MakeDefault();
  for (uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(SendTcp(kPeerIp, TcpSegment(40000, 80, i)).ok());
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);  // one request, however many datagrams wait
  ExpectArpRequestFor(frames[0], kPeerIp);
  EXPECT_EQ(counters_.arp_requests_tx, 1u);

  Receive(ArpReplyFrame(kPeerMac, kPeerIp));
  frames = sink_.Take();
  ASSERT_EQ(frames.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    std::optional<wire::EthernetView> eth = wire::EthernetView::Parse(frames[i]);
    ASSERT_TRUE(eth.has_value());
    EXPECT_EQ(eth->dst(), kPeerMac);
    std::optional<wire::Ipv4View> ip = SentIpv4(frames[i]);
    ASSERT_TRUE(ip.has_value());
    EXPECT_EQ(Bytes(ip->payload().begin(), ip->payload().end()), TcpSegment(40000, 80, i));
  }
  EXPECT_EQ(counters_.ipv4_packets_tx, 3u);
  EXPECT_EQ(counters_.TotalDrops(), 0u);
}

TEST_F(ArpTest, OffLinkDestinationsResolveTheGateway) {
  MakeDefault();
  ASSERT_TRUE(SendTcp(kRemoteIp, TcpSegment(40000, 443, 1)).ok());
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  ExpectArpRequestFor(frames[0], kGatewayIp);

  Receive(ArpReplyFrame(kGatewayMac, kGatewayIp));
  frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(wire::EthernetView::Parse(frames[0])->dst(), kGatewayMac);
  EXPECT_EQ(SentIpv4(frames[0])->dst(), kRemoteIp);
}

TEST_F(ArpTest, ResolutionQueueIsBoundedPerNeighbourAndInTotal) {
  InterfaceConfig config = TestConfig();
  config.arp_pending_per_neighbor = 3;
  config.arp_pending_total = 5;
  Make(config);

  for (uint32_t i = 0; i < 3; ++i) EXPECT_TRUE(SendTcp(kPeerIp, TcpSegment(1, 2, i)).ok());
  absl::Status full = SendTcp(kPeerIp, TcpSegment(1, 2, 3));
  EXPECT_TRUE(absl::IsResourceExhausted(full)) << full;
  ExpectOnlyDrops(counters_, DropReason::kArpQueueFull, 1);

  EXPECT_TRUE(SendTcp(kOtherIp, TcpSegment(1, 2, 10)).ok());
  EXPECT_TRUE(SendTcp(kOtherIp, TcpSegment(1, 2, 11)).ok());
  full = SendTcp(kOtherIp, TcpSegment(1, 2, 12));  // per-neighbour room left, total full
  EXPECT_TRUE(absl::IsResourceExhausted(full)) << full;
  ExpectOnlyDrops(counters_, DropReason::kArpQueueFull, 2);

  // Resolution frees the peer's share of the total.
  Receive(ArpReplyFrame(kPeerMac, kPeerIp));
  EXPECT_TRUE(SendTcp(kOtherIp, TcpSegment(1, 2, 13)).ok());
}

TEST_F(ArpTest, RetriesThenGivesUpAndTellsTheTransportHostUnreachable) {
  MakeDefault();  // 3 requests, 1 s apart
  const Instant start = now_;
  const Bytes first = TcpSegment(40000, 80, 1000);
  const Bytes second = TcpSegment(40000, 80, 1001, Pattern(10));
  ASSERT_TRUE(SendTcp(kPeerIp, first).ok());
  ASSERT_TRUE(SendTcp(kPeerIp, second).ok());

  std::vector<Duration> request_times;
  while (layer_->NextDeadline() != Instant::Never()) {
    for (const Bytes& frame : sink_.Take()) {
      ExpectArpRequestFor(frame, kPeerIp);
      request_times.push_back(now_ - start);
    }
    ASSERT_TRUE(tcp_.errors.empty()) << "gave up early, at " << (now_ - start).ToString();
    RunUntil(layer_->NextDeadline());
  }
  EXPECT_TRUE(sink_.Take().empty());
  EXPECT_EQ(request_times,
            (std::vector<Duration>{Duration::Zero(), Duration::Seconds(1), Duration::Seconds(2)}));
  EXPECT_EQ(now_ - start, Duration::Seconds(3));

  ASSERT_EQ(tcp_.errors.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const IcmpError& e = tcp_.errors[i].error;
    EXPECT_EQ(e.kind, IcmpErrorKind::kHostUnreachable);
    EXPECT_EQ(e.type, wire::kIcmpDestUnreachable);
    EXPECT_EQ(e.code, wire::kIcmpCodeHostUnreachable);
    EXPECT_EQ(e.original_src, kOurIp);
    EXPECT_EQ(e.original_dst, kPeerIp);
    EXPECT_EQ(e.protocol, kProtoTcp);
  }
  EXPECT_EQ(tcp_.errors[0].transport, first);
  EXPECT_EQ(tcp_.errors[1].transport, second);
  ExpectOnlyDrops(counters_, DropReason::kArpUnresolved, 2);
  EXPECT_EQ(layer_->LookupNeighbor(kPeerIp), std::nullopt);
}

TEST_F(ArpTest, EntriesExpire) {
  MakeDefault();  // ttl 60 s
  Receive(ArpRequestFrame(kPeerMac, kPeerIp, kOurIp));
  const Instant learned = now_;
  EXPECT_EQ(layer_->NextDeadline(), learned + Duration::Seconds(60));

  RunUntil(learned + Duration::Seconds(60) - Duration::Nanos(1));
  EXPECT_EQ(layer_->LookupNeighbor(kPeerIp), kPeerMac);
  RunUntil(learned + Duration::Seconds(60));
  EXPECT_EQ(layer_->LookupNeighbor(kPeerIp), std::nullopt);
  EXPECT_EQ(layer_->NextDeadline(), Instant::Never());
}

TEST_F(ArpTest, AnEntryInUseIsRefreshedBeforeItExpires) {
  MakeDefault();  // ttl 60 s; the last 3 s (3 requests x 1 s) are for refreshing
  Receive(ArpRequestFrame(kPeerMac, kPeerIp, kOurIp));
  sink_.Take();
  const Instant learned = now_;

  now_ = learned + Duration::Seconds(56);
  ASSERT_TRUE(SendTcp(kPeerIp, TcpSegment(1, 2, 3)).ok());
  EXPECT_EQ(sink_.Take().size(), 1u);  // just the datagram

  now_ = learned + Duration::Seconds(57);
  ASSERT_TRUE(SendTcp(kPeerIp, TcpSegment(1, 2, 3)).ok());
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 2u);
  ExpectArpRequestFor(frames[0], kPeerIp);

  now_ += Duration::Millis(500);  // at most one refresh per retry interval
  ASSERT_TRUE(SendTcp(kPeerIp, TcpSegment(1, 2, 3)).ok());
  EXPECT_EQ(sink_.Take().size(), 1u);

  // The neighbour answers: the entry lives another full ttl.
  Receive(ArpReplyFrame(kPeerMac, kPeerIp));
  RunUntil(learned + Duration::Seconds(100));
  EXPECT_EQ(layer_->LookupNeighbor(kPeerIp), kPeerMac);
}

TEST_F(ArpTest, GratuitousAnnouncementAtStart) {
  MakeDefault();
  layer_->Start(now_);
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  // RFC 5227 §3: sender IP = target IP = ours, target MAC zero, broadcast.
  EXPECT_EQ(frames[0],
            EthernetFrame(MacAddress::Broadcast(), kOurMac, wire::kEtherTypeArp,
                          ArpBytes(wire::kArpOpRequest, kOurMac, kOurIp, MacAddress(), kOurIp)));

  InterfaceConfig quiet = TestConfig();
  quiet.gratuitous_arp = false;
  Make(quiet);
  layer_->Start(now_);
  EXPECT_TRUE(sink_.Take().empty());
}

TEST_F(ArpTest, FullCacheEvictsTheOldestEntry) {
  InterfaceConfig config = TestConfig();
  config.arp_cache_capacity = 2;
  Make(config);
  const Ipv4Address a = Ipv4Address::FromOctets(198, 18, 0, 10);
  const Ipv4Address b = Ipv4Address::FromOctets(198, 18, 0, 11);
  const Ipv4Address c = Ipv4Address::FromOctets(198, 18, 0, 12);
  Receive(ArpRequestFrame(kPeerMac, a, kOurIp));
  now_ += Duration::Seconds(1);
  Receive(ArpRequestFrame(kOtherMac, b, kOurIp));
  now_ += Duration::Seconds(1);
  Receive(ArpRequestFrame(kPeerMac, a, kOurIp));  // refreshed: now b is the oldest
  now_ += Duration::Seconds(1);
  Receive(ArpRequestFrame(kGatewayMac, c, kOurIp));

  EXPECT_EQ(layer_->LookupNeighbor(a), kPeerMac);
  EXPECT_EQ(layer_->LookupNeighbor(b), std::nullopt);
  EXPECT_EQ(layer_->LookupNeighbor(c), kGatewayMac);
}

TEST_F(ArpTest, StaticNeighboursSkipResolutionAndReleaseQueuedDatagrams) {
  MakeDefault();
  ASSERT_TRUE(SendTcp(kPeerIp, TcpSegment(1, 2, 3)).ok());
  ASSERT_EQ(sink_.Take().size(), 1u);  // the request
  layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
  EXPECT_EQ(sink_.Take().size(), 1u);  // the queued datagram
  ASSERT_TRUE(SendTcp(kPeerIp, TcpSegment(1, 2, 4)).ok());
  EXPECT_EQ(sink_.Take().size(), 1u);

  // ARP does not overwrite a static entry, and it never expires.
  Receive(ArpRequestFrame(kOtherMac, kPeerIp, kOurIp));
  RunUntil(now_ + Duration::Seconds(3600));
  EXPECT_EQ(layer_->LookupNeighbor(kPeerIp), kPeerMac);
}

TEST_F(ArpTest, ProbesForOurAddressAreAnsweredNotLearned) {
  MakeDefault();
  // RFC 5227 §2.1.1: sender IP 0.0.0.0.
  Receive(ArpRequestFrame(kOtherMac, Ipv4Address::Any(), kOurIp));
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  wire::ArpPacket reply = ParseArpFrame(frames[0], kOtherMac);
  EXPECT_EQ(reply.op, wire::kArpOpReply);
  EXPECT_EQ(reply.target_ip, Ipv4Address::Any());
  EXPECT_EQ(layer_->LookupNeighbor(Ipv4Address::Any()), std::nullopt);
}

TEST_F(ArpTest, SomeoneClaimingOurAddressIsNotLearned) {
  MakeDefault();
  Receive(ArpRequestFrame(kOtherMac, kOurIp, kOurIp));
  EXPECT_TRUE(sink_.Take().empty());
  EXPECT_EQ(layer_->LookupNeighbor(kOurIp), std::nullopt);
  EXPECT_EQ(counters_.TotalDrops(), 0u);
}

struct MalformedArpCase {
  const char* name;
  Bytes arp;
  MacAddress link_src = kPeerMac;
};

TEST_F(ArpTest, MalformedPacketsAreDropped) {
  Bytes good = ArpBytes(wire::kArpOpRequest, kPeerMac, kPeerIp, MacAddress(), kOurIp);
  Bytes truncated(good.begin(), good.end() - 1);
  Bytes token_ring = good;
  token_ring[1] = 6;  // hardware type
  Bytes rarp = ArpBytes(3, kPeerMac, kPeerIp, MacAddress(), kOurIp);
  Bytes multicast_sender =
      ArpBytes(wire::kArpOpRequest, MacAddress::Broadcast(), kPeerIp, MacAddress(), kOurIp);
  const std::vector<MalformedArpCase> cases = {
      {"truncated", truncated},
      {"hardware type", token_ring},
      {"unknown op", rarp},
      {"group sender address", multicast_sender},
  };
  for (const MalformedArpCase& c : cases) {
    SCOPED_TRACE(c.name);
    counters_ = StackCounters();
    MakeDefault();
    Receive(EthernetFrame(MacAddress::Broadcast(), c.link_src, wire::kEtherTypeArp, c.arp));
    EXPECT_TRUE(sink_.Take().empty());
    ExpectOnlyDrops(counters_, DropReason::kArpMalformed, 1);
    EXPECT_EQ(layer_->LookupNeighbor(kPeerIp), std::nullopt);
  }
}

}  // namespace
}  // namespace tcpaas::ip::iptest
