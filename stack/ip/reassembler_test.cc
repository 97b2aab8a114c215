#include "stack/ip/reassembler.h"

#include <vector>

#include "gtest/gtest.h"
#include "stack/ip/ip_test_util.h"

namespace tcpaas::ip::iptest {
namespace {

std::optional<std::vector<uint8_t>> Add(Reassembler& r, const Bytes& datagram, Instant now) {
  std::optional<wire::Ipv4View> v = wire::Ipv4View::Parse(datagram);
  EXPECT_TRUE(v.has_value());
  return r.Add(*v, now);
}

TEST(ReassemblerTest, BuildsTheHeaderFromFragmentZero) {
  StackCounters counters;
  Reassembler r(ReassemblyConfig{}, &counters);
  const Bytes payload = Pattern(40);
  Ipv4Spec zero;
  zero.id = 300;
  zero.mf = true;
  zero.ttl = 17;
  zero.tos = 0x28;
  zero.option_bytes = 8;  // options are not carried into the reassembled header
  Ipv4Spec last = zero;
  last.mf = false;
  last.offset = 24;
  last.ttl = 99;
  last.tos = 0;
  last.option_bytes = 0;

  EXPECT_EQ(Add(r, Ipv4Packet(last, absl::MakeConstSpan(payload).subspan(24)), Instant::Zero()),
            std::nullopt);
  EXPECT_EQ(r.bytes(), 40u);  // held up to the furthest byte seen
  std::optional<std::vector<uint8_t>> whole =
      Add(r, Ipv4Packet(zero, absl::MakeConstSpan(payload).first(24)), Instant::Zero());
  ASSERT_TRUE(whole.has_value());
  std::optional<wire::Ipv4View> v = wire::Ipv4View::Parse(*whole);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->checksum_ok());
  EXPECT_EQ(v->header_length(), 20u);
  EXPECT_EQ(v->total_length(), 60u);
  EXPECT_FALSE(v->is_fragment());
  EXPECT_EQ(v->id(), 300);
  EXPECT_EQ(v->ttl(), 17);
  EXPECT_EQ(v->tos(), 0x28);
  EXPECT_EQ(v->src(), kPeerIp);
  EXPECT_EQ(v->dst(), kOurIp);
  EXPECT_EQ(Bytes(v->payload().begin(), v->payload().end()), payload);
  EXPECT_EQ(r.bytes(), 0u);
  EXPECT_EQ(r.datagrams(), 0u);
  EXPECT_EQ(counters.ipv4_fragments_reassembled, 1u);
}

TEST(ReassemblerTest, DatagramsAreKeyedBySourceDestinationProtocolAndId) {
  StackCounters counters;
  Reassembler r(ReassemblyConfig{}, &counters);
  Ipv4Spec a;
  a.mf = true;
  Ipv4Spec b = a;
  b.protocol = kProtoUdp;
  Ipv4Spec c = a;
  c.id = 2;
  Ipv4Spec d = a;
  d.src = kOtherIp;
  for (const Ipv4Spec& s : {a, b, c, d}) Add(r, Ipv4Packet(s, Pattern(8)), Instant::Zero());
  EXPECT_EQ(r.datagrams(), 4u);
  EXPECT_EQ(counters.TotalDrops(), 0u);
}

TEST(ReassemblerTest, TimeoutReportsOnlyDatagramsWithFragmentZero) {
  StackCounters counters;
  ReassemblyConfig config;
  config.timeout = Duration::Seconds(10);
  Reassembler r(config, &counters);
  Ipv4Spec zero;
  zero.id = 1;
  zero.mf = true;
  zero.option_bytes = 4;
  Ipv4Spec later;
  later.id = 2;
  later.mf = true;
  later.offset = 8;
  const Bytes first = Ipv4Packet(zero, Pattern(16));
  Add(r, first, Instant::Zero());
  Add(r, Ipv4Packet(later, Pattern(16)), Instant::Zero() + Duration::Seconds(1));
  EXPECT_EQ(r.NextDeadline(), Instant::Zero() + Duration::Seconds(10));

  std::vector<Reassembler::TimedOut> timed_out;
  r.Poll(Instant::Zero() + Duration::Seconds(10), &timed_out);
  ASSERT_EQ(timed_out.size(), 1u);
  EXPECT_EQ(timed_out[0].src, kPeerIp);
  EXPECT_EQ(timed_out[0].header_size, 24u);
  EXPECT_EQ(Bytes(timed_out[0].quote.begin(), timed_out[0].quote.begin() + timed_out[0].quote_size),
            Bytes(first.begin(), first.begin() + 32));
  EXPECT_EQ(r.datagrams(), 1u);
  r.Poll(Instant::Zero() + Duration::Seconds(11), &timed_out);
  EXPECT_EQ(timed_out.size(), 1u);
  EXPECT_EQ(r.datagrams(), 0u);
  EXPECT_EQ(r.bytes(), 0u);
  EXPECT_EQ(counters.dropped(DropReason::kIpv4FragmentTimeout), 2u);
}

}  // namespace
}  // namespace tcpaas::ip::iptest
