// A deterministic fuzz-style sweep: random and mutated inputs through every parser of the
// wire layer. Nothing may crash or read out of bounds (run under ASan), and every view that
// parses must keep its documented guarantees. --wire_fuzz_seed reproduces a failing run.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"
#include "stack/wire/addr.h"
#include "stack/wire/arp.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/hex_for_tests.h"
#include "stack/wire/icmp.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

ABSL_FLAG(uint64_t, wire_fuzz_seed, 20240601, "Seed of the wire parser fuzz sweep");
ABSL_FLAG(int, wire_fuzz_iterations, 100000, "Inputs per generator in the wire fuzz sweep");

namespace tcpaas::wire {
namespace {

struct Stats {
  int ethernet = 0, arp = 0, ipv4 = 0, tcp = 0, tcp_options_ok = 0, icmp = 0;
};

// Parses as far down as the bytes allow and checks every view's guarantees; every accessor
// is called so ASan sees any out-of-bounds read.
void CheckTcpOptions(absl::Span<const uint8_t> bytes, Stats* stats) {
  TcpOptions o;
  if (!ParseTcpOptions(bytes, &o)) {
    EXPECT_TRUE(o == TcpOptions());
    return;
  }
  ++stats->tcp_options_ok;
  ASSERT_LE(o.sack_count, kTcpMaxSackBlocks);
  // Writing what was parsed and parsing it again is stable after one pass (only trailing
  // SACK blocks that do not fit may be lost).
  uint8_t buf[kTcpMaxOptionsSize];
  const size_t n1 = o.WriteTo(buf);
  ASSERT_EQ(n1, o.EncodedSize());
  ASSERT_LE(n1, kTcpMaxOptionsSize);
  TcpOptions o2;
  ASSERT_TRUE(ParseTcpOptions(absl::MakeConstSpan(buf, n1), &o2));
  EXPECT_EQ(o2.mss, o.mss);
  EXPECT_EQ(o2.window_scale, o.window_scale);
  EXPECT_EQ(o2.sack_permitted, o.sack_permitted);
  EXPECT_EQ(o2.timestamps, o.timestamps);
  EXPECT_LE(o2.sack_count, o.sack_count);
  const size_t n2 = o2.WriteTo(buf);
  TcpOptions o3;
  ASSERT_TRUE(ParseTcpOptions(absl::MakeConstSpan(buf, n2), &o3));
  EXPECT_TRUE(o3 == o2);
}

void CheckTcp(absl::Span<const uint8_t> bytes, Ipv4Address src, Ipv4Address dst, Stats* stats) {
  std::optional<TcpHeaderView> v = TcpHeaderView::Parse(bytes);
  if (!v) {
    EXPECT_TRUE(bytes.size() < kTcpMinHeaderSize || (bytes[12] >> 4) < 5 ||
                (bytes[12] >> 4) * 4u > bytes.size());
    return;
  }
  ++stats->tcp;
  ASSERT_GE(v->header_length(), kTcpMinHeaderSize);
  ASSERT_LE(v->header_length(), kTcpMaxHeaderSize);
  ASSERT_LE(v->header_length(), bytes.size());
  EXPECT_EQ(v->options().size(), v->header_length() - kTcpMinHeaderSize);
  EXPECT_EQ(v->payload().size(), bytes.size() - v->header_length());
  (void)v->src_port();
  (void)v->dst_port();
  (void)v->seq();
  (void)v->ack();
  (void)v->window();
  (void)v->checksum();
  (void)v->urgent_pointer();
  (void)TcpFlagsToString(v->flags());
  (void)TcpChecksumOk(src, dst, bytes);
  const TcpHeader h = TcpHeader::FromView(*v);
  EXPECT_EQ(h.seq, v->seq());
  CheckTcpOptions(v->options(), stats);
}

void CheckIcmp(absl::Span<const uint8_t> bytes, Stats* stats) {
  std::optional<IcmpView> v = IcmpView::Parse(bytes);
  if (!v) {
    EXPECT_LT(bytes.size(), kIcmpHeaderSize);
    return;
  }
  ++stats->icmp;
  EXPECT_EQ(v->body().size(), bytes.size() - kIcmpHeaderSize);
  (void)v->type();
  (void)v->code();
  (void)v->checksum_ok();
  (void)v->echo_id();
  (void)v->echo_seq();
  (void)v->next_hop_mtu();
}

void CheckIpv4(absl::Span<const uint8_t> bytes, Stats* stats) {
  std::optional<Ipv4View> v = Ipv4View::Parse(bytes);
  if (!v) return;
  ++stats->ipv4;
  ASSERT_GE(v->header_length(), kIpv4MinHeaderSize);
  ASSERT_LE(v->header_length(), kIpv4MaxHeaderSize);
  ASSERT_LE(v->header_length(), v->total_length());
  ASSERT_LE(v->total_length(), bytes.size());
  EXPECT_EQ(v->bytes().data(), bytes.data());
  EXPECT_EQ(v->payload().size(), v->total_length() - v->header_length());
  EXPECT_EQ(v->header().size(), v->header_length());
  (void)v->tos();
  (void)v->id();
  (void)v->is_fragment();
  (void)v->dont_fragment();
  (void)v->ttl();
  (void)v->checksum_ok();
  if (v->protocol() == 6) CheckTcp(v->payload(), v->src(), v->dst(), stats);
  if (v->protocol() == 1) CheckIcmp(v->payload(), stats);
}

void CheckFrame(absl::Span<const uint8_t> frame, Stats* stats) {
  std::optional<EthernetView> eth = EthernetView::Parse(frame);
  if (!eth) {
    EXPECT_LT(frame.size(), kEthernetHeaderSize);
    return;
  }
  ++stats->ethernet;
  EXPECT_EQ(eth->payload().size(), frame.size() - kEthernetHeaderSize);
  (void)eth->dst();
  (void)eth->src();
  if (eth->ethertype() == kEtherTypeArp) {
    if (ArpPacket::Parse(eth->payload())) ++stats->arp;
  } else if (eth->ethertype() == kEtherTypeIpv4) {
    CheckIpv4(eth->payload(), stats);
  }
}

// Valid frames to start mutating from.
std::vector<std::vector<uint8_t>> Seeds() {
  std::vector<std::vector<uint8_t>> seeds;
  const MacAddress a({2, 0, 0, 0, 0, 1}), b({2, 0, 0, 0, 0, 2});
  const Ipv4Address ia = Ipv4Address::FromOctets(198, 18, 0, 1);
  const Ipv4Address ib = Ipv4Address::FromOctets(198, 18, 0, 2);
  {  // ARP request, padded.
    std::vector<uint8_t> f(60, 0);
    WriteEthernetHeader(f.data(), MacAddress::Broadcast(), a, kEtherTypeArp);
    ArpPacket{kArpOpRequest, a, ia, MacAddress(), ib}.WriteTo(f.data() + kEthernetHeaderSize);
    seeds.push_back(f);
  }
  for (int variant = 0; variant < 3; ++variant) {  // TCP SYN, ACK with SACK, data
    TcpHeader t;
    t.src_port = Port(40000);
    t.dst_port = Port(80);
    t.seq = SeqNum(1000);
    t.flags = tcp_flags::kSyn;
    if (variant == 0) {
      t.options.mss = 1460;
      t.options.sack_permitted = true;
      t.options.timestamps = TcpTimestamps{1, 0};
      t.options.window_scale = 7;
    } else {
      t.flags = tcp_flags::kAck;
      t.options.timestamps = TcpTimestamps{5, 6};
      for (int i = 0; i < variant * 2 - 1; ++i) {
        t.options.AddSackBlock({SeqNum(2000 + i * 100), SeqNum(2050 + i * 100)});
      }
    }
    const size_t payload = variant == 2 ? 33 : 0;
    const size_t ip_len = kIpv4MinHeaderSize + t.size() + payload;
    std::vector<uint8_t> f(kEthernetHeaderSize + ip_len, 0x61);
    WriteEthernetHeader(f.data(), b, a, kEtherTypeIpv4);
    Ipv4Header ip;
    ip.total_length = static_cast<uint16_t>(ip_len);
    ip.protocol = 6;
    ip.src = ia;
    ip.dst = ib;
    ip.WriteTo(f.data() + kEthernetHeaderSize);
    uint8_t* tcp = f.data() + kEthernetHeaderSize + kIpv4MinHeaderSize;
    t.WriteTo(tcp);
    FillTcpChecksum(ia, ib, absl::MakeSpan(tcp, t.size() + payload));
    seeds.push_back(f);
  }
  {  // ICMP echo request.
    const std::vector<uint8_t> body(20, 0x33);
    std::vector<uint8_t> f(kEthernetHeaderSize + kIpv4MinHeaderSize + kIcmpHeaderSize + 20);
    WriteEthernetHeader(f.data(), b, a, kEtherTypeIpv4);
    Ipv4Header ip;
    ip.total_length = static_cast<uint16_t>(f.size() - kEthernetHeaderSize);
    ip.protocol = 1;
    ip.WriteTo(f.data() + kEthernetHeaderSize);
    WriteIcmp(f.data() + kEthernetHeaderSize + kIpv4MinHeaderSize, kIcmpEchoRequest, 0, 7, body);
    seeds.push_back(f);
  }
  return seeds;
}

// Values that sit on the edges of length and type fields.
uint8_t InterestingByte(std::mt19937_64& rng) {
  static constexpr uint8_t kValues[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08,
                                        0x0a, 0x0f, 0x10, 0x40, 0x45, 0x4f, 0x50, 0x5f,
                                        0x7f, 0x80, 0xa0, 0xf0, 0xff, 0x08, 0x06, 0x11};
  return kValues[rng() % sizeof kValues];
}

void Mutate(std::mt19937_64& rng, std::vector<uint8_t>* f) {
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !f->empty(); ++e) {
    const size_t at = rng() % f->size();
    switch (rng() % 5) {
      case 0:
        (*f)[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 1:
        (*f)[at] = static_cast<uint8_t>(rng());
        break;
      case 2:
        (*f)[at] = InterestingByte(rng);
        break;
      case 3:
        f->resize(at);  // truncate
        break;
      case 4:
        f->resize(f->size() + rng() % 8, static_cast<uint8_t>(rng()));  // trailing junk
        break;
    }
  }
}

class WireFuzzTest : public testing::Test {
 protected:
  uint64_t seed_ = absl::GetFlag(FLAGS_wire_fuzz_seed);
  int iterations_ = absl::GetFlag(FLAGS_wire_fuzz_iterations);
};

TEST_F(WireFuzzTest, RandomBytesThroughEveryParser) {
  SCOPED_TRACE(testing::Message() << "--wire_fuzz_seed=" << seed_);
  std::mt19937_64 rng(seed_);
  Stats stats;
  std::vector<uint8_t> buf;
  for (int i = 0; i < iterations_ && !HasFatalFailure(); ++i) {
    buf.resize(rng() % 100);
    for (uint8_t& b : buf) b = static_cast<uint8_t>(rng());
    const absl::Span<const uint8_t> s(buf);
    // Each parser on its own, as the layers call them.
    CheckFrame(s, &stats);
    CheckIpv4(s, &stats);
    CheckTcp(s, Ipv4Address(1), Ipv4Address(2), &stats);
    CheckIcmp(s, &stats);
    CheckTcpOptions(s.first(std::min<size_t>(s.size(), kTcpMaxOptionsSize)), &stats);
    (void)ArpPacket::Parse(s);
    (void)InternetChecksum(s);
  }
  EXPECT_GT(stats.tcp, 0);
  EXPECT_GT(stats.tcp_options_ok, 0);
}

TEST_F(WireFuzzTest, MutatedValidFramesThroughTheWholeChain) {
  SCOPED_TRACE(testing::Message() << "--wire_fuzz_seed=" << seed_);
  std::mt19937_64 rng(seed_);
  const std::vector<std::vector<uint8_t>> seeds = Seeds();
  Stats stats;
  for (int i = 0; i < iterations_ && !HasFatalFailure(); ++i) {
    std::vector<uint8_t> f = seeds[rng() % seeds.size()];
    Mutate(rng, &f);
    // Copy into an exactly sized allocation so ASan catches a read one past the end.
    const std::unique_ptr<uint8_t[]> exact(new uint8_t[f.size() + 1]);
    std::copy(f.begin(), f.end(), exact.get());
    CheckFrame(absl::MakeConstSpan(exact.get(), f.size()), &stats);
  }
  // The sweep must reach every layer, or it proves nothing about the deep parsers.
  EXPECT_GT(stats.arp, 0);
  EXPECT_GT(stats.ipv4, iterations_ / 10);
  EXPECT_GT(stats.tcp, iterations_ / 10);
  EXPECT_GT(stats.tcp_options_ok, iterations_ / 20);
  EXPECT_GT(stats.icmp, 0);
}

TEST_F(WireFuzzTest, StructuredOptionLists) {
  // Options built from plausible kinds and lengths reach far more of the parser than
  // uniform random bytes do.
  SCOPED_TRACE(testing::Message() << "--wire_fuzz_seed=" << seed_);
  std::mt19937_64 rng(seed_);
  static constexpr uint8_t kKinds[] = {0, 1, 2, 3, 4, 5, 8, 19, 34, 254};
  Stats stats;
  std::vector<uint8_t> buf;
  for (int i = 0; i < iterations_ && !HasFatalFailure(); ++i) {
    buf.clear();
    const size_t want = rng() % (kTcpMaxOptionsSize + 1);
    while (buf.size() < want) {
      const uint8_t kind = kKinds[rng() % sizeof kKinds];
      buf.push_back(kind);
      if (kind <= 1) continue;
      const uint8_t len = rng() % 4 == 0 ? static_cast<uint8_t>(rng() % 44) : InterestingByte(rng);
      buf.push_back(len);
      for (int k = 2; k < len && buf.size() < want; ++k) buf.push_back(static_cast<uint8_t>(rng()));
    }
    const std::unique_ptr<uint8_t[]> exact(new uint8_t[buf.size() + 1]);
    std::copy(buf.begin(), buf.end(), exact.get());
    CheckTcpOptions(absl::MakeConstSpan(exact.get(), buf.size()), &stats);
  }
  EXPECT_GT(stats.tcp_options_ok, iterations_ / 10);
}

TEST_F(WireFuzzTest, RandomAddressStrings) {
  SCOPED_TRACE(testing::Message() << "--wire_fuzz_seed=" << seed_);
  std::mt19937_64 rng(seed_);
  static constexpr char kChars[] = "0123456789.:/abcdefABCDEF+- x";
  int parsed = 0;
  std::string s;
  for (int i = 0; i < iterations_; ++i) {
    s.clear();
    const size_t len = rng() % 20;
    const bool digits_only = rng() % 2 == 0;  // mostly plausible dotted quads
    for (size_t k = 0; k < len; ++k) {
      s.push_back(digits_only && rng() % 4 != 0 ? static_cast<char>('0' + rng() % 10)
                  : digits_only                 ? (rng() % 2 ? '.' : '/')
                                                : kChars[rng() % (sizeof kChars - 1)]);
    }
    // Whatever parses prints back exactly as written (the forms are canonical).
    if (std::optional<Ipv4Address> a = Ipv4Address::Parse(s)) {
      ++parsed;
      EXPECT_EQ(a->ToString(), s);
    }
    if (std::optional<Ipv4Cidr> c = Ipv4Cidr::Parse(s)) {
      ++parsed;
      EXPECT_EQ(c->ToString(), s);
      EXPECT_TRUE(c->Contains(c->address));
    }
    if (std::optional<MacAddress> m = MacAddress::Parse(s)) {
      ++parsed;
      EXPECT_EQ(MacAddress::Parse(m->ToString()), m);
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace tcpaas::wire
