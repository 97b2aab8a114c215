#include "server/service/proto_convert.h"

#include <string>

#include "gtest/gtest.h"

namespace tcpaas::server {
namespace {

tcpaas::v1::ConnectRequest Request(const std::string& host, uint32_t port) {
  tcpaas::v1::ConnectRequest r;
  r.set_host(host);
  r.set_port(port);
  return r;
}

struct BadRequest {
  const char* name;
  tcpaas::v1::ConnectRequest request;
};

class BadConnectRequestTest : public testing::TestWithParam<BadRequest> {};

TEST_P(BadConnectRequestTest, IsInvalidArgument) {
  auto plan = ToConnectPlan(GetParam().request, tcp::ConnectionOptions());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument) << plan.status();
}

BadRequest WithOptions(const char* name, void (*set)(tcpaas::v1::ConnectionOptions*)) {
  BadRequest b{name, Request("198.18.0.1", 80)};
  set(b.request.mutable_options());
  return b;
}

INSTANTIATE_TEST_SUITE_P(
    Requests, BadConnectRequestTest,
    testing::Values(
        BadRequest{"empty_host", Request("", 80)},
        BadRequest{"dns_name", Request("example.com", 80)}, BadRequest{"ipv6", Request("::1", 80)},
        BadRequest{"any_address", Request("0.0.0.0", 80)},
        BadRequest{"broadcast", Request("255.255.255.255", 80)},
        BadRequest{"multicast", Request("224.0.0.1", 80)},
        BadRequest{"loopback", Request("127.0.0.1", 80)},
        BadRequest{"port_zero", Request("198.18.0.1", 0)},
        BadRequest{"port_too_big", Request("198.18.0.1", 65536)},
        [] {
          BadRequest b{"local_port_too_big", Request("198.18.0.1", 80)};
          b.request.set_local_port(70000);
          return b;
        }(),
        WithOptions("tiny_send_buffer",
                    [](tcpaas::v1::ConnectionOptions* o) { o->set_send_buffer_bytes(10); }),
        WithOptions("huge_recv_buffer",
                    [](tcpaas::v1::ConnectionOptions* o) { o->set_recv_buffer_bytes(1u << 30); }),
        WithOptions("too_many_keepalive_probes",
                    [](tcpaas::v1::ConnectionOptions* o) { o->set_keepalive_probes(1000); })),
    [](const testing::TestParamInfo<BadRequest>& info) { return std::string(info.param.name); });

TEST(ProtoConvertTest, ValidRequestBecomesAPlan) {
  tcpaas::v1::ConnectRequest r = Request("198.18.0.1", 7);
  r.set_connect_timeout_ms(1500);
  r.set_local_port(40000);
  r.mutable_options()->set_no_delay(true);
  r.mutable_options()->set_send_buffer_bytes(65536);
  r.mutable_options()->set_keepalive(true);
  r.mutable_options()->set_keepalive_idle_ms(5000);
  r.mutable_options()->set_user_timeout_ms(2000);
  r.mutable_options()->set_congestion_control("newreno");
  tcp::ConnectionOptions defaults;
  defaults.recv_buffer_bytes = 123456;
  auto plan = ToConnectPlan(r, defaults);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->remote.ToString(), "198.18.0.1:7");
  EXPECT_EQ(plan->local_port, Port(40000));
  EXPECT_EQ(plan->options.connect_timeout, Duration::Millis(1500));
  EXPECT_TRUE(plan->options.no_delay);
  EXPECT_EQ(plan->options.send_buffer_bytes, 65536u);
  EXPECT_EQ(plan->options.recv_buffer_bytes, 123456u);  // zero keeps the default
  EXPECT_TRUE(plan->options.keepalive);
  EXPECT_EQ(plan->options.keepalive_idle, Duration::Millis(5000));
  EXPECT_EQ(plan->options.keepalive_interval, defaults.keepalive_interval);
  EXPECT_EQ(plan->options.user_timeout, Duration::Millis(2000));
}

TEST(ProtoConvertTest, StatesMapOneToOne) {
  EXPECT_EQ(ToProtoState(tcp::TcpState::kClosed), tcpaas::v1::TCP_STATE_CLOSED);
  EXPECT_EQ(ToProtoState(tcp::TcpState::kEstablished), tcpaas::v1::TCP_STATE_ESTABLISHED);
  EXPECT_EQ(ToProtoState(tcp::TcpState::kTimeWait), tcpaas::v1::TCP_STATE_TIME_WAIT);
  for (int s = 0; s < static_cast<int>(tcp::kTcpStateCount); ++s) {
    // The proto enum is the stack's plus one (0 is UNSPECIFIED).
    EXPECT_EQ(static_cast<int>(ToProtoState(static_cast<tcp::TcpState>(s))), s + 1);
  }
}

TEST(ProtoConvertTest, ConnectionCarriesStatsAndCloseReason) {
  ConnectionEntry entry;
  entry.id = "abc";
  entry.direction = ConnectionDirection::kPassive;
  entry.congestion_control = "newreno";
  entry.facts.closed = true;
  entry.facts.close_reason = CloseReason::kReset;
  tcp::TcpStats stats;
  stats.state = tcp::TcpState::kClosed;
  stats.tuple.local = Endpoint{Ipv4Address::FromOctets(198, 18, 0, 2), Port(80)};
  stats.tuple.remote = Endpoint{Ipv4Address::FromOctets(198, 18, 0, 1), Port(40000)};
  stats.srtt = Duration::Micros(1500);
  stats.cwnd = 14600;
  stats.bytes_acked = 99;
  stats.retransmits[static_cast<size_t>(RetransmitKind::kFast)] = 3;
  stats.retransmits[static_cast<size_t>(RetransmitKind::kRack)] = 4;
  stats.spurious_rtos = 5;
  stats.dsacks_received = 6;
  stats.dsacks_sent = 7;
  tcpaas::v1::Connection out;
  FillProtoConnection(entry, &stats, &out);
  EXPECT_EQ(out.id(), "abc");
  EXPECT_EQ(out.direction(), tcpaas::v1::DIRECTION_PASSIVE);
  EXPECT_EQ(out.local().address(), "198.18.0.2");
  EXPECT_EQ(out.remote().port(), 40000u);
  EXPECT_EQ(out.stats().srtt_us(), 1500u);
  EXPECT_EQ(out.stats().cwnd_bytes(), 14600u);
  EXPECT_EQ(out.stats().bytes_acked(), 99u);
  EXPECT_EQ(out.stats().retransmits_fast(), 3u);
  EXPECT_EQ(out.stats().retransmits_rack(), 4u);
  EXPECT_EQ(out.stats().spurious_rtos(), 5u);
  EXPECT_EQ(out.stats().dsacks_received(), 6u);
  EXPECT_EQ(out.stats().dsacks_sent(), 7u);
  EXPECT_EQ(out.stats().congestion_control(), "newreno");
  EXPECT_EQ(out.close_reason(), "reset");

  // Without the stack's stats (handle gone): what the entry knows.
  entry.tuple = stats.tuple;
  entry.facts.bytes_acked = 77;
  tcpaas::v1::Connection gone;
  FillProtoConnection(entry, nullptr, &gone);
  EXPECT_EQ(gone.state(), tcpaas::v1::TCP_STATE_CLOSED);
  EXPECT_EQ(gone.local().port(), 80u);
  EXPECT_EQ(gone.stats().bytes_acked(), 77u);
}

}  // namespace
}  // namespace tcpaas::server
