#include "stack/ip/route.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace tcpaas::ip {
namespace {

constexpr Ipv4Address kOurs = Ipv4Address::FromOctets(198, 18, 0, 2);
constexpr Ipv4Address kGateway = Ipv4Address::FromOctets(198, 18, 0, 1);

struct NextHopCase {
  const char* name;
  Ipv4Address dst;
  std::optional<Ipv4Address> gateway;
  absl::StatusCode code;
  Ipv4Address next_hop;  // when code is kOk
};

TEST(RouterTest, NextHop) {
  const Ipv4Address on_link = Ipv4Address::FromOctets(198, 18, 0, 77);
  const Ipv4Address off_link = Ipv4Address::FromOctets(198, 19, 0, 77);
  const std::vector<NextHopCase> cases = {
      {"on link", on_link, kGateway, absl::StatusCode::kOk, on_link},
      {"on link, no gateway", on_link, std::nullopt, absl::StatusCode::kOk, on_link},
      {"off link", off_link, kGateway, absl::StatusCode::kOk, kGateway},
      {"off link, no gateway", off_link, std::nullopt, absl::StatusCode::kUnavailable, {}},
      {"ourselves", kOurs, kGateway, absl::StatusCode::kInvalidArgument, {}},
      {"loopback",
       Ipv4Address::FromOctets(127, 0, 0, 1),
       kGateway,
       absl::StatusCode::kInvalidArgument,
       {}},
      {"unspecified", Ipv4Address::Any(), kGateway, absl::StatusCode::kInvalidArgument, {}},
      {"broadcast", Ipv4Address::Broadcast(), kGateway, absl::StatusCode::kInvalidArgument, {}},
      {"subnet broadcast",
       Ipv4Address::FromOctets(198, 18, 0, 255),
       kGateway,
       absl::StatusCode::kInvalidArgument,
       {}},
      {"multicast",
       Ipv4Address::FromOctets(224, 0, 0, 251),
       kGateway,
       absl::StatusCode::kInvalidArgument,
       {}},
  };
  for (const NextHopCase& c : cases) {
    SCOPED_TRACE(c.name);
    Router router(Ipv4Cidr{kOurs, 24}, c.gateway);
    absl::StatusOr<Ipv4Address> hop = router.NextHop(c.dst);
    EXPECT_EQ(hop.status().code(), c.code) << hop.status();
    if (hop.ok()) {
      EXPECT_EQ(*hop, c.next_hop);
    }
  }
}

TEST(RouterTest, NoRouteNamesTheDestination) {
  Router router(Ipv4Cidr{kOurs, 24}, std::nullopt);
  EXPECT_EQ(router.NextHop(Ipv4Address::FromOctets(198, 19, 1, 2)).status().message(),
            "no route to 198.19.1.2");
}

TEST(RouterTest, PointToPointSubnetsHaveNoBroadcastAddress) {
  // RFC 3021: in a /31 both addresses are hosts.
  Router router(Ipv4Cidr{Ipv4Address::FromOctets(198, 18, 0, 0), 31}, std::nullopt);
  const Ipv4Address peer = Ipv4Address::FromOctets(198, 18, 0, 1);
  EXPECT_FALSE(router.IsBroadcast(peer));
  EXPECT_TRUE(router.IsBroadcast(Ipv4Address::Broadcast()));
  ASSERT_TRUE(router.NextHop(peer).ok());
  EXPECT_EQ(*router.NextHop(peer), peer);
}

TEST(RouterTest, ValidSources) {
  Router router(Ipv4Cidr{kOurs, 24}, kGateway);
  EXPECT_TRUE(router.IsValidSource(kGateway));
  EXPECT_TRUE(router.IsValidSource(Ipv4Address::FromOctets(8, 8, 8, 8)));
  EXPECT_FALSE(router.IsValidSource(kOurs));
  EXPECT_FALSE(router.IsValidSource(Ipv4Address::FromOctets(198, 18, 0, 255)));
  EXPECT_FALSE(router.IsValidSource(Ipv4Address::FromOctets(127, 0, 0, 1)));
  EXPECT_FALSE(router.IsValidSource(Ipv4Address::FromOctets(239, 0, 0, 1)));
}

}  // namespace
}  // namespace tcpaas::ip
