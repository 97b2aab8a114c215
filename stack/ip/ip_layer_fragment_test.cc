// IpLayer: IPv4 reassembly -- orders, duplicates, overlaps, bounds and the timeout.
#include <algorithm>
#include <numeric>
#include <vector>

#include "gtest/gtest.h"
#include "stack/ip/ip_layer.h"
#include "stack/ip/ip_test_util.h"

namespace tcpaas::ip::iptest {
namespace {

// Cuts `payload` into fragments of the given payload sizes (all but the last a multiple of
// 8), as datagrams from the peer with identification `id`.
std::vector<Bytes> Fragment(absl::Span<const uint8_t> payload, const std::vector<size_t>& sizes,
                            uint16_t id = 77, uint8_t protocol = kProtoTcp) {
  std::vector<Bytes> out;
  size_t offset = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    Ipv4Spec spec;
    spec.id = id;
    spec.protocol = protocol;
    spec.offset = static_cast<uint16_t>(offset);
    spec.mf = i + 1 < sizes.size();
    out.push_back(Ipv4Packet(spec, payload.subspan(offset, sizes[i])));
    offset += sizes[i];
  }
  return out;
}

class FragmentTest : public IpLayerFixture {
 protected:
  void SetUp() override { MakeDefault(); }
  // A TCP segment of 60 bytes in four fragments: 16 + 16 + 16 + 12.
  const Bytes segment_ = TcpSegment(80, 40000, 9, Pattern(40));
  const std::vector<Bytes> fragments_ = Fragment(segment_, {16, 16, 16, 12});
};

TEST_F(FragmentTest, InOrder) {
  for (size_t i = 0; i < fragments_.size(); ++i) {
    EXPECT_TRUE(tcp_.packets.empty()) << "delivered before fragment " << i;
    ReceiveIpv4(fragments_[i]);
  }
  ASSERT_EQ(tcp_.packets.size(), 1u);
  EXPECT_EQ(tcp_.packets[0].segment, segment_);
  EXPECT_TRUE(tcp_.packets[0].info.was_fragmented);
  EXPECT_EQ(tcp_.packets[0].info.src, kPeerIp);
  EXPECT_EQ(counters_.ipv4_fragments_reassembled, 1u);
  EXPECT_EQ(counters_.ipv4_packets_rx, 4u);
  EXPECT_EQ(counters_.TotalDrops(), 0u);
  EXPECT_EQ(layer_->NextDeadline(), Instant::Never());  // nothing left in progress
}

TEST_F(FragmentTest, Reversed) {
  for (size_t i = fragments_.size(); i-- > 0;) ReceiveIpv4(fragments_[i]);
  ASSERT_EQ(tcp_.packets.size(), 1u);
  EXPECT_EQ(tcp_.packets[0].segment, segment_);
}

TEST_F(FragmentTest, EveryPermutationOfFour) {
  std::vector<size_t> order(fragments_.size());
  std::iota(order.begin(), order.end(), 0);
  int permutations = 0;
  do {
    std::string trace = "order";
    for (size_t i : order) trace += " " + std::to_string(i);
    SCOPED_TRACE(trace);
    tcp_.packets.clear();
    counters_ = StackCounters();
    MakeDefault();
    for (size_t k = 0; k < order.size(); ++k) {
      EXPECT_TRUE(tcp_.packets.empty());
      ReceiveIpv4(fragments_[order[k]]);
    }
    ASSERT_EQ(tcp_.packets.size(), 1u);
    EXPECT_EQ(tcp_.packets[0].segment, segment_);
    EXPECT_EQ(counters_.TotalDrops(), 0u);
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(permutations, 24);
}

TEST_F(FragmentTest, DuplicatesAreDroppedAndTheDatagramStillCompletes) {
  ReceiveIpv4(fragments_[1]);
  ReceiveIpv4(fragments_[1]);
  ReceiveIpv4(fragments_[3]);
  ReceiveIpv4(fragments_[3]);
  ReceiveIpv4(fragments_[0]);
  ReceiveIpv4(fragments_[2]);
  ASSERT_EQ(tcp_.packets.size(), 1u);
  EXPECT_EQ(tcp_.packets[0].segment, segment_);
  ExpectOnlyDrops(counters_, DropReason::kIpv4FragmentDuplicate, 2);
  // A late copy after completion starts a new datagram that never completes.
  ReceiveIpv4(fragments_[1]);
  EXPECT_EQ(tcp_.packets.size(), 1u);
}

TEST_F(FragmentTest, OverlapDropsTheWholeDatagram) {
  // Bytes [8, 24) overlap fragment 0's [0, 16) and fragment 1's [16, 32).
  Ipv4Spec spec;
  spec.id = 77;
  spec.mf = true;
  spec.offset = 8;
  const Bytes overlapping = Ipv4Packet(spec, absl::MakeConstSpan(segment_).subspan(8, 16));
  ReceiveIpv4(fragments_[0]);
  ReceiveIpv4(fragments_[1]);
  ReceiveIpv4(overlapping);
  ExpectOnlyDrops(counters_, DropReason::kIpv4FragmentMalformed, 3);
  EXPECT_EQ(layer_->NextDeadline(), Instant::Never());
  ReceiveIpv4(fragments_[2]);
  ReceiveIpv4(fragments_[3]);
  EXPECT_TRUE(tcp_.packets.empty());
}

struct BadFragmentCase {
  const char* name;
  std::vector<Ipv4Spec> held;  // fragments received first (payload of 16 bytes each)
  Ipv4Spec bad;
  size_t bad_size;
  uint64_t dropped;  // kIpv4FragmentMalformed count
};

TEST_F(FragmentTest, MalformedFragmentsAreDropped) {
  auto spec = [](uint16_t offset, bool mf) {
    Ipv4Spec s;
    s.id = 5;
    s.offset = offset;
    s.mf = mf;
    return s;
  };
  const std::vector<BadFragmentCase> cases = {
      {"not a multiple of 8 before the end", {}, spec(0, true), 12, 1},
      {"empty", {}, spec(16, true), 0, 1},
      {"beyond 65535 bytes in all", {spec(0, true)}, spec(65512, false), 16, 2},
      {"end before held data", {spec(32, true)}, spec(16, false), 8, 2},
      {"second last fragment disagrees", {spec(32, false)}, spec(40, false), 16, 2},
      {"data past the last fragment", {spec(32, false)}, spec(48, true), 16, 2},
  };
  for (const BadFragmentCase& c : cases) {
    SCOPED_TRACE(c.name);
    counters_ = StackCounters();
    MakeDefault();
    for (const Ipv4Spec& held : c.held) ReceiveIpv4(Ipv4Packet(held, Pattern(16)));
    ReceiveIpv4(Ipv4Packet(c.bad, Pattern(c.bad_size)));
    ExpectOnlyDrops(counters_, DropReason::kIpv4FragmentMalformed, c.dropped);
    EXPECT_EQ(layer_->NextDeadline(), Instant::Never()) << "state left behind";
  }
}

TEST_F(FragmentTest, DatagramCountIsBounded) {
  InterfaceConfig config = TestConfig();
  config.reassembly_max_datagrams = 2;
  Make(config);
  std::vector<std::vector<Bytes>> datagrams;
  for (uint16_t id = 1; id <= 3; ++id) datagrams.push_back(Fragment(segment_, {32, 28}, id));
  for (const auto& d : datagrams) ReceiveIpv4(d[0]);
  ExpectOnlyDrops(counters_, DropReason::kIpv4FragmentLimit, 1);
  // Those in progress are kept and complete.
  ReceiveIpv4(datagrams[0][1]);
  ReceiveIpv4(datagrams[1][1]);
  EXPECT_EQ(tcp_.packets.size(), 2u);
}

TEST_F(FragmentTest, BytesAreBounded) {
  InterfaceConfig config = TestConfig();
  config.reassembly_max_bytes = 64;
  Make(config);
  const std::vector<Bytes> first = Fragment(segment_, {48, 12}, 1);
  const std::vector<Bytes> second = Fragment(segment_, {24, 36}, 2);
  ReceiveIpv4(first[0]);   // 48 bytes held
  ReceiveIpv4(second[0]);  // 24 more would exceed 64
  ExpectOnlyDrops(counters_, DropReason::kIpv4FragmentLimit, 1);
  ReceiveIpv4(first[1]);  // 60 in all: fits
  ASSERT_EQ(tcp_.packets.size(), 1u);
  // Completion gave the bytes back.
  ReceiveIpv4(second[0]);
  ReceiveIpv4(second[1]);
  EXPECT_EQ(tcp_.packets.size(), 2u);
}

TEST_F(FragmentTest, TimeoutDropsAndSendsTimeExceededWhenFragmentZeroArrived) {
  layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
  const Instant first = now_;
  ReceiveIpv4(fragments_[0]);
  now_ += Duration::Seconds(5);
  ReceiveIpv4(fragments_[2]);
  EXPECT_EQ(layer_->NextDeadline(), first + Duration::Seconds(30));
  RunUntil(first + Duration::Seconds(30) - Duration::Nanos(1));
  EXPECT_TRUE(sink_.Take().empty());

  RunUntil(first + Duration::Seconds(30));
  ExpectOnlyDrops(counters_, DropReason::kIpv4FragmentTimeout, 2);
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  std::optional<wire::Ipv4View> ip = SentIpv4(frames[0]);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->dst(), kPeerIp);
  EXPECT_EQ(ip->protocol(), kProtoIcmp);
  // RFC 792: type 11 code 1, quoting fragment zero's header and first 8 data bytes.
  const Bytes quote(fragments_[0].begin(), fragments_[0].begin() + 28);
  EXPECT_EQ(Bytes(ip->payload().begin(), ip->payload().end()),
            IcmpMessage(wire::kIcmpTimeExceeded, 1, 0, quote));
  EXPECT_EQ(counters_.icmp_errors_tx, 1u);
  EXPECT_TRUE(tcp_.packets.empty());
}

TEST_F(FragmentTest, TimeoutWithoutFragmentZeroSendsNothing) {
  layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
  ReceiveIpv4(fragments_[1]);
  ReceiveIpv4(fragments_[3]);
  RunUntil(now_ + Duration::Seconds(31));
  ExpectOnlyDrops(counters_, DropReason::kIpv4FragmentTimeout, 2);
  EXPECT_TRUE(sink_.Take().empty());
}

TEST_F(FragmentTest, NoTimeExceededAboutAnIcmpError) {
  layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
  const Bytes error = IcmpMessage(wire::kIcmpDestUnreachable, 3, 0, Pattern(40));
  ReceiveIpv4(Fragment(error, {16, 32}, 9, kProtoIcmp)[0]);
  RunUntil(now_ + Duration::Seconds(31));
  ExpectOnlyDrops(counters_, DropReason::kIpv4FragmentTimeout, 1);
  EXPECT_TRUE(sink_.Take().empty());
}

TEST_F(FragmentTest, FragmentedEchoRequestIsAnswered) {
  layer_->AddStaticNeighbor(kPeerIp, kPeerMac);
  const Bytes data = Pattern(100);
  const Bytes request = IcmpMessage(wire::kIcmpEchoRequest, 0, 0x00010002, data);
  for (const Bytes& f : Fragment(request, {56, 52}, 3, kProtoIcmp)) ReceiveIpv4(f);
  std::vector<Bytes> frames = sink_.Take();
  ASSERT_EQ(frames.size(), 1u);
  std::optional<wire::Ipv4View> ip = SentIpv4(frames[0]);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(Bytes(ip->payload().begin(), ip->payload().end()),
            IcmpMessage(wire::kIcmpEchoReply, 0, 0x00010002, data));
}

}  // namespace
}  // namespace tcpaas::ip::iptest
