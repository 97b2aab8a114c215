#include "stack/wire/addr.h"

#include <optional>
#include <sstream>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace tcpaas {
namespace {

struct MacCase {
  std::string text;
  std::optional<std::array<uint8_t, 6>> bytes;  // nullopt: must be rejected
};

TEST(MacAddressTest, ParseTable) {
  using B = std::array<uint8_t, 6>;
  const MacCase cases[] = {
      {"02:00:00:00:00:01", B{0x02, 0, 0, 0, 0, 0x01}},
      {"ff:ff:ff:ff:ff:ff", B{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
      {"AA:bb:Cc:dD:0e:F0", B{0xaa, 0xbb, 0xcc, 0xdd, 0x0e, 0xf0}},
      {"00:00:00:00:00:00", B{}},
      {"", std::nullopt},
      {"02:00:00:00:00", std::nullopt},
      {"02:00:00:00:00:01:", std::nullopt},
      {"02:00:00:00:00:001", std::nullopt},
      {"02-00-00-00-00-01", std::nullopt},
      {"02:00:00:00:00:0g", std::nullopt},
      {"2:0:0:0:0:1", std::nullopt},
      {"020000000001", std::nullopt},
      {"02:00:00:00:00:1 ", std::nullopt},
      {" 02:00:00:00:00:1", std::nullopt},
      {"02:00:00:00:00:+1", std::nullopt},
      {"02.00.00.00.00.01", std::nullopt},
  };
  for (const MacCase& c : cases) {
    std::optional<MacAddress> m = MacAddress::Parse(c.text);
    ASSERT_EQ(m.has_value(), c.bytes.has_value()) << '"' << c.text << '"';
    if (m) {
      EXPECT_EQ(m->bytes(), *c.bytes) << c.text;
    }
  }
}

TEST(MacAddressTest, ToStringIsLowercaseAndRoundTrips) {
  const MacAddress m({0x02, 0xAB, 0x00, 0x0f, 0x10, 0xff});
  EXPECT_EQ(m.ToString(), "02:ab:00:0f:10:ff");
  EXPECT_EQ(MacAddress::Parse(m.ToString()), m);
  std::ostringstream os;
  os << m;
  EXPECT_EQ(os.str(), "02:ab:00:0f:10:ff");
}

TEST(MacAddressTest, BytesRoundTrip) {
  const uint8_t raw[8] = {0xee, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0xee};
  const MacAddress m = MacAddress::FromBytes(raw + 1);
  EXPECT_EQ(m.ToString(), "02:11:22:33:44:55");
  uint8_t out[8] = {0xaa, 0, 0, 0, 0, 0, 0, 0xbb};
  m.CopyTo(out + 1);
  EXPECT_EQ(out[0], 0xaa);
  EXPECT_EQ(out[7], 0xbb);
  EXPECT_EQ(MacAddress::FromBytes(out + 1), m);
}

TEST(MacAddressTest, Predicates) {
  EXPECT_TRUE(MacAddress::Broadcast().is_broadcast());
  EXPECT_TRUE(MacAddress::Broadcast().is_multicast());
  EXPECT_TRUE(MacAddress().is_zero());
  EXPECT_TRUE(MacAddress({0x01, 0x00, 0x5e, 0, 0, 1}).is_multicast());
  EXPECT_FALSE(MacAddress({0x02, 0, 0, 0, 0, 1}).is_multicast());
  EXPECT_FALSE(MacAddress({0x02, 0, 0, 0, 0, 1}).is_broadcast());
}

struct Ipv4Case {
  std::string text;
  std::optional<uint32_t> value;
};

TEST(Ipv4AddressTest, ParseTable) {
  const Ipv4Case cases[] = {
      {"0.0.0.0", 0u},
      {"198.18.0.2", 0xc6120002u},
      {"255.255.255.255", 0xffffffffu},
      {"1.2.3.4", 0x01020304u},
      {"10.0.0.10", 0x0a00000au},
      {"100.200.250.199", 0x64c8fac7u},
      {"", std::nullopt},
      {"1.2.3", std::nullopt},
      {"1.2.3.4.5", std::nullopt},
      {"1.2.3.", std::nullopt},
      {".1.2.3", std::nullopt},
      {"1..2.3", std::nullopt},
      {"1.2.3.256", std::nullopt},
      {"1.2.3.1000", std::nullopt},
      {"1.2.3.-1", std::nullopt},
      {"+1.2.3.4", std::nullopt},
      {"1.+2.3.4", std::nullopt},
      {"01.2.3.4", std::nullopt},
      {"1.2.3.04", std::nullopt},
      {"1.2.3.00", std::nullopt},
      {"0x1.2.3.4", std::nullopt},
      {"1.2.3.4 ", std::nullopt},
      {" 1.2.3.4", std::nullopt},
      {"1.2.3.4/24", std::nullopt},
      {"1.2.3.4:80", std::nullopt},
      {"16909060", std::nullopt},
      {"a.b.c.d", std::nullopt},
      {"1.2.3.4\n", std::nullopt},
      {std::string("1.2.3.4\0", 8), std::nullopt},
      {"99999999999.1.1.1", std::nullopt},
  };
  for (const Ipv4Case& c : cases) {
    std::optional<Ipv4Address> a = Ipv4Address::Parse(c.text);
    ASSERT_EQ(a.has_value(), c.value.has_value()) << '"' << c.text << '"';
    if (a) {
      EXPECT_EQ(a->value(), *c.value) << c.text;
      EXPECT_EQ(a->ToString(), c.text);
    }
  }
}

TEST(Ipv4AddressTest, ToStringAndOctets) {
  EXPECT_EQ(Ipv4Address::FromOctets(198, 18, 0, 1).ToString(), "198.18.0.1");
  EXPECT_EQ(Ipv4Address::FromOctets(198, 18, 0, 1).value(), 0xc6120001u);
  std::ostringstream os;
  os << Ipv4Address::Broadcast();
  EXPECT_EQ(os.str(), "255.255.255.255");
}

TEST(Ipv4AddressTest, SameSubnetAtEveryPrefix) {
  // a and b differ first in bit 20 (counting from the most significant bit, from 0).
  const Ipv4Address a(0xc6120000u);
  const Ipv4Address b(0xc6120800u);
  for (int p = 0; p <= 32; ++p) {
    EXPECT_EQ(a.SameSubnet(b, p), p <= 20) << "prefix " << p;
    EXPECT_TRUE(a.SameSubnet(a, p)) << "prefix " << p;
  }
  // Prefix 0 matches everything; 32 only the address itself.
  EXPECT_TRUE(Ipv4Address(0).SameSubnet(Ipv4Address::Broadcast(), 0));
  EXPECT_FALSE(Ipv4Address(0xffffffffu).SameSubnet(Ipv4Address(0xfffffffeu), 32));
  EXPECT_TRUE(Ipv4Address(0xffffffffu).SameSubnet(Ipv4Address(0xfffffffeu), 31));
  // Out-of-range prefixes are clamped rather than shifting by 32 or more.
  EXPECT_TRUE(a.SameSubnet(b, -1));
  EXPECT_FALSE(a.SameSubnet(b, 33));
}

TEST(Ipv4AddressTest, Predicates) {
  EXPECT_TRUE(Ipv4Address::Any().is_any());
  EXPECT_TRUE(Ipv4Address::Broadcast().is_broadcast());
  EXPECT_TRUE(Ipv4Address::FromOctets(224, 0, 0, 1).is_multicast());
  EXPECT_TRUE(Ipv4Address::FromOctets(239, 255, 255, 255).is_multicast());
  EXPECT_FALSE(Ipv4Address::FromOctets(240, 0, 0, 1).is_multicast());
  EXPECT_TRUE(Ipv4Address::FromOctets(127, 0, 0, 1).is_loopback());
  EXPECT_FALSE(Ipv4Address::FromOctets(198, 18, 0, 1).is_loopback());
}

struct CidrCase {
  std::string text;
  bool ok;
  uint32_t address = 0;
  int prefix = 0;
  uint32_t network = 0;
  uint32_t broadcast = 0;
};

TEST(Ipv4CidrTest, ParseTable) {
  const CidrCase cases[] = {
      {"198.18.0.2/24", true, 0xc6120002u, 24, 0xc6120000u, 0xc61200ffu},
      {"198.18.0.2/15", true, 0xc6120002u, 15, 0xc6120000u, 0xc613ffffu},
      {"198.18.0.2/32", true, 0xc6120002u, 32, 0xc6120002u, 0xc6120002u},
      {"198.18.0.3/31", true, 0xc6120003u, 31, 0xc6120002u, 0xc6120003u},
      {"10.1.2.3/8", true, 0x0a010203u, 8, 0x0a000000u, 0x0affffffu},
      {"10.1.2.3/0", true, 0x0a010203u, 0, 0, 0xffffffffu},
      {"198.18.0.2", false},
      {"198.18.0.2/", false},
      {"198.18.0.2/33", false},
      {"198.18.0.2/-1", false},
      {"198.18.0.2/+24", false},
      {"198.18.0.2/024", false},
      {"198.18.0.2/24/", false},
      {"198.18.0.2/24 ", false},
      {"198.18.0.2 /24", false},
      {"198.18.0/24", false},
      {"/24", false},
      {"198.18.0.2/2a", false},
      {"198.18.0.2/100", false},
  };
  for (const CidrCase& c : cases) {
    std::optional<Ipv4Cidr> cidr = Ipv4Cidr::Parse(c.text);
    ASSERT_EQ(cidr.has_value(), c.ok) << '"' << c.text << '"';
    if (!cidr) continue;
    EXPECT_EQ(cidr->address.value(), c.address) << c.text;
    EXPECT_EQ(cidr->prefix_len, c.prefix) << c.text;
    EXPECT_EQ(cidr->Network().value(), c.network) << c.text;
    EXPECT_EQ(cidr->BroadcastAddress().value(), c.broadcast) << c.text;
    EXPECT_EQ(cidr->ToString(), c.text);
  }
}

TEST(Ipv4CidrTest, Contains) {
  const Ipv4Cidr net = *Ipv4Cidr::Parse("198.18.0.2/24");
  EXPECT_TRUE(net.Contains(Ipv4Address::FromOctets(198, 18, 0, 1)));
  EXPECT_TRUE(net.Contains(Ipv4Address::FromOctets(198, 18, 0, 255)));
  EXPECT_FALSE(net.Contains(Ipv4Address::FromOctets(198, 18, 1, 1)));
  EXPECT_FALSE(net.Contains(Ipv4Address::FromOctets(198, 19, 0, 1)));
}

TEST(EndpointTest, ToStringAndStreams) {
  const Endpoint local{Ipv4Address::FromOctets(198, 18, 0, 2), Port(40000)};
  const Endpoint remote{Ipv4Address::FromOctets(198, 18, 0, 1), Port(80)};
  EXPECT_EQ(remote.ToString(), "198.18.0.1:80");
  EXPECT_EQ((Endpoint{Ipv4Address(), Port()}).ToString(), "0.0.0.0:0");
  EXPECT_EQ((Endpoint{Ipv4Address::Broadcast(), Port(65535)}).ToString(), "255.255.255.255:65535");
  const FourTuple t{local, remote};
  EXPECT_EQ(t.ToString(), "198.18.0.2:40000->198.18.0.1:80");
  std::ostringstream os;
  os << local << " " << t;
  EXPECT_EQ(os.str(), "198.18.0.2:40000 198.18.0.2:40000->198.18.0.1:80");
}

TEST(EndpointTest, HashesDistinguishDirections) {
  const Endpoint a{Ipv4Address::FromOctets(198, 18, 0, 2), Port(40000)};
  const Endpoint b{Ipv4Address::FromOctets(198, 18, 0, 1), Port(80)};
  absl::flat_hash_set<FourTuple> set = {FourTuple{a, b}, FourTuple{b, a}};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_TRUE(set.contains(FourTuple{a, b}));
}

}  // namespace
}  // namespace tcpaas
