#include "server/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tcpaas::server {
namespace {

using ::testing::HasSubstr;

// "http://127.0.0.1:PORT/metrics" -> PORT.
int PortOf(const std::string& endpoint) {
  absl::string_view rest = endpoint;
  if (!absl::ConsumePrefix(&rest, "http://127.0.0.1:")) return -1;
  int port = -1;
  if (!absl::SimpleAtoi(rest.substr(0, rest.find('/')), &port)) return -1;
  return port;
}

// A plain HTTP/1.0 GET over a kernel socket: what Prometheus does, without any client library.
// Returns the whole response (status line, headers and body), or "" on a socket error.
std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buf[8192];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, n);
    }
  }
  close(fd);
  return response;
}

// The sample lines of an exposition: "name{labels}" -> value. Comments are skipped.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == absl::string_view::npos) continue;
    double value = 0;
    absl::string_view number = line.substr(space + 1);
    if (number == "+Inf") {
      value = INFINITY;
    } else if (!absl::SimpleAtod(number, &value)) {
      continue;
    }
    const std::string series(line.substr(0, space));
    out[series] = value;
  }
  return out;
}

// A snapshot in which every counter has a distinct value, so a mix-up shows.
MetricsSnapshot DistinctSnapshot() {
  MetricsSnapshot s;
  StackCounters& c = s.stack;
  c.link_frames_rx = 101;
  c.link_frames_tx = 102;
  c.link_bytes_rx = 103;
  c.link_bytes_tx = 104;
  c.ipv4_packets_rx = 105;
  c.ipv4_packets_tx = 106;
  c.ipv4_fragments_reassembled = 107;
  c.icmp_echo_replies_tx = 108;
  c.icmp_errors_rx = 109;
  c.icmp_errors_tx = 110;
  c.arp_requests_tx = 111;
  c.arp_replies_tx = 112;
  c.tcp_active_opens = 201;
  c.tcp_passive_opens = 202;
  c.tcp_segments_rx = 203;
  c.tcp_segments_tx = 204;
  c.tcp_bytes_rx = 205;
  c.tcp_bytes_tx = 206;
  c.tcp_resets_rx = 207;
  c.tcp_resets_tx = 208;
  c.tcp_rto_timeouts = 209;
  c.tcp_fast_recoveries = 210;
  c.tcp_challenge_acks = 211;
  c.tcp_zero_window_probes = 212;
  c.tcp_keepalive_probes = 213;
  c.tcp_syn_cookies_or_overflow = 214;
  c.tcp_spurious_rtos = 215;
  for (size_t i = 0; i < c.tcp_retransmits.size(); ++i) c.tcp_retransmits[i] = 300 + i;
  for (size_t i = 0; i < c.tcp_closes.size(); ++i) c.tcp_closes[i] = 400 + i;
  for (size_t i = 0; i < c.drops.size(); ++i) c.drops[i] = 500 + i;
  for (size_t i = 0; i < s.connections_by_state.size(); ++i) s.connections_by_state[i] = 600 + i;
  s.grpc_calls = {{"Connect", "OK", 701}, {"Send", "ABORTED", 702}};
  s.send_flow_control_pauses = 801;
  s.recv_flow_control_pauses = 802;
  s.link_up = 0;
  return s;
}

// Every name issue 3 and DESIGN.md require, with its type.
struct RequiredFamily {
  const char* name;
  const char* type;
};
constexpr RequiredFamily kRequiredFamilies[] = {
    {"tcpaas_connections", "gauge"},
    {"tcpaas_connections_opened_total", "counter"},
    {"tcpaas_connection_failures_total", "counter"},
    {"tcpaas_segments_sent_total", "counter"},
    {"tcpaas_segments_received_total", "counter"},
    {"tcpaas_bytes_sent_total", "counter"},
    {"tcpaas_bytes_received_total", "counter"},
    {"tcpaas_retransmitted_segments_total", "counter"},
    {"tcpaas_rto_timeouts_total", "counter"},
    {"tcpaas_fast_recoveries_total", "counter"},
    {"tcpaas_rtt_seconds", "histogram"},
    {"tcpaas_dropped_segments_total", "counter"},
    {"tcpaas_link_frames_total", "counter"},
    {"tcpaas_link_bytes_total", "counter"},
    {"tcpaas_link_up", "gauge"},
    {"tcpaas_flow_control_pauses_total", "counter"},
    {"tcpaas_grpc_calls_total", "counter"},
    {"tcpaas_challenge_acks_total", "counter"},
    {"tcpaas_zero_window_probes_total", "counter"},
    {"tcpaas_keepalive_probes_total", "counter"},
    {"tcpaas_resets_sent_total", "counter"},
    {"tcpaas_resets_received_total", "counter"},
    {"tcpaas_icmp_errors_total", "counter"},
    {"tcpaas_icmp_echo_replies_sent_total", "counter"},
    {"tcpaas_arp_packets_sent_total", "counter"},
};

TEST(MetricsTextTest, EveryRequiredFamilyHasTypeAndHelp) {
  const std::string text = RenderMetricsText(MetricsSnapshot{});
  for (const RequiredFamily& f : kRequiredFamilies) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("# TYPE ", f.name, " ", f.type, "\n"))) << f.name;
    EXPECT_THAT(text, HasSubstr(absl::StrCat("# HELP ", f.name, " "))) << f.name;
  }
}

TEST(MetricsTextTest, HelpNamesTheLinuxCounterMirrored) {
  const std::string text = RenderMetricsText(MetricsSnapshot{});
  EXPECT_THAT(text, HasSubstr("Tcp_RetransSegs"));
  EXPECT_THAT(text, HasSubstr("Tcp_OutSegs"));
  EXPECT_THAT(text, HasSubstr("Tcp_InSegs"));
  EXPECT_THAT(text, HasSubstr("Tcp_ActiveOpens"));
  EXPECT_THAT(text, HasSubstr("TcpExt_TCPTimeouts"));
  EXPECT_THAT(text, HasSubstr("TcpExt_TCPChallengeACK"));
}

// Each sample the snapshot implies, by its exact series name.
struct ExpectedSample {
  std::string series;
  double value;
};

std::vector<ExpectedSample> ExpectedSamples() {
  return {
      {"tcpaas_connections{state=\"closed\"}", 600},
      {"tcpaas_connections{state=\"listen\"}", 601},
      {"tcpaas_connections{state=\"syn_sent\"}", 602},
      {"tcpaas_connections{state=\"syn_received\"}", 603},
      {"tcpaas_connections{state=\"established\"}", 604},
      {"tcpaas_connections{state=\"fin_wait_1\"}", 605},
      {"tcpaas_connections{state=\"fin_wait_2\"}", 606},
      {"tcpaas_connections{state=\"close_wait\"}", 607},
      {"tcpaas_connections{state=\"closing\"}", 608},
      {"tcpaas_connections{state=\"last_ack\"}", 609},
      {"tcpaas_connections{state=\"time_wait\"}", 610},
      {"tcpaas_connections_opened_total{direction=\"active\"}", 201},
      {"tcpaas_connections_opened_total{direction=\"passive\"}", 202},
      {"tcpaas_connection_failures_total{reason=\"refused\"}", 401},
      {"tcpaas_connection_failures_total{reason=\"reset\"}", 402},
      {"tcpaas_connection_failures_total{reason=\"aborted\"}", 403},
      {"tcpaas_connection_failures_total{reason=\"syn_timeout\"}", 404},
      {"tcpaas_connection_failures_total{reason=\"retransmit_timeout\"}", 405},
      {"tcpaas_connection_failures_total{reason=\"user_timeout\"}", 406},
      {"tcpaas_connection_failures_total{reason=\"keepalive_timeout\"}", 407},
      {"tcpaas_connection_failures_total{reason=\"unreachable\"}", 408},
      {"tcpaas_connection_failures_total{reason=\"stack_shutdown\"}", 409},
      {"tcpaas_segments_received_total", 203},
      {"tcpaas_segments_sent_total", 204},
      {"tcpaas_bytes_received_total", 205},
      {"tcpaas_bytes_sent_total", 206},
      {"tcpaas_resets_received_total", 207},
      {"tcpaas_resets_sent_total", 208},
      {"tcpaas_rto_timeouts_total", 209},
      {"tcpaas_fast_recoveries_total", 210},
      {"tcpaas_challenge_acks_total", 211},
      {"tcpaas_zero_window_probes_total", 212},
      {"tcpaas_keepalive_probes_total", 213},
      {"tcpaas_listen_overflows_total", 214},
      {"tcpaas_spurious_rtos_total", 215},
      {"tcpaas_retransmitted_segments_total{kind=\"timeout\"}", 300},
      {"tcpaas_retransmitted_segments_total{kind=\"fast\"}", 301},
      {"tcpaas_retransmitted_segments_total{kind=\"tlp\"}", 302},
      {"tcpaas_retransmitted_segments_total{kind=\"rack\"}", 303},
      {"tcpaas_dropped_segments_total{reason=\"link_too_short\"}", 500},
      {"tcpaas_dropped_segments_total{reason=\"tcp_bad_checksum\"}",
       500.0 + static_cast<double>(DropReason::kTcpBadChecksum)},
      {"tcpaas_link_frames_total{direction=\"rx\"}", 101},
      {"tcpaas_link_frames_total{direction=\"tx\"}", 102},
      {"tcpaas_link_bytes_total{direction=\"rx\"}", 103},
      {"tcpaas_link_bytes_total{direction=\"tx\"}", 104},
      {"tcpaas_link_up", 0},
      {"tcpaas_ipv4_packets_total{direction=\"rx\"}", 105},
      {"tcpaas_ipv4_packets_total{direction=\"tx\"}", 106},
      {"tcpaas_ipv4_fragments_reassembled_total", 107},
      {"tcpaas_icmp_echo_replies_sent_total", 108},
      {"tcpaas_icmp_errors_total{direction=\"rx\"}", 109},
      {"tcpaas_icmp_errors_total{direction=\"tx\"}", 110},
      {"tcpaas_arp_packets_sent_total{type=\"request\"}", 111},
      {"tcpaas_arp_packets_sent_total{type=\"reply\"}", 112},
      {"tcpaas_flow_control_pauses_total{direction=\"send\"}", 801},
      {"tcpaas_flow_control_pauses_total{direction=\"recv\"}", 802},
      {"tcpaas_grpc_calls_total{method=\"Connect\",code=\"OK\"}", 701},
      {"tcpaas_grpc_calls_total{method=\"Send\",code=\"ABORTED\"}", 702},
  };
}

TEST(MetricsTextTest, SamplesFollowTheSnapshot) {
  const auto samples = Samples(RenderMetricsText(DistinctSnapshot()));
  for (const ExpectedSample& e : ExpectedSamples()) {
    auto it = samples.find(e.series);
    ASSERT_NE(it, samples.end()) << "missing series " << e.series;
    EXPECT_EQ(it->second, e.value) << e.series;
  }
}

TEST(MetricsTextTest, EveryDropReasonAndNoNormalFailure) {
  const auto samples = Samples(RenderMetricsText(MetricsSnapshot{}));
  for (size_t i = 0; i < static_cast<size_t>(DropReason::kCount); ++i) {
    const std::string series =
        absl::StrCat("tcpaas_dropped_segments_total{reason=\"",
                     std::string(DropReasonName(static_cast<DropReason>(i))), "\"}");
    EXPECT_TRUE(samples.contains(series)) << series;
  }
  EXPECT_FALSE(samples.contains("tcpaas_connection_failures_total{reason=\"normal\"}"));
}

TEST(MetricsTextTest, RttHistogramIsCumulative) {
  MetricsSnapshot s;
  // 2 samples of 50 µs, 3 of 3 ms, 1 of 60 s (beyond the last bound).
  for (double v : {0.00005, 0.00005, 0.003, 0.003, 0.003, 60.0}) s.stack.tcp_rtt.Observe(v);
  const auto samples = Samples(RenderMetricsText(s));
  const struct {
    const char* le;
    double count;
  } kBuckets[] = {{"0.0001", 2}, {"0.00025", 2}, {"0.0025", 2},
                  {"0.005", 5},  {"10", 5},      {"+Inf", 6}};
  for (const auto& b : kBuckets) {
    const std::string series = absl::StrCat("tcpaas_rtt_seconds_bucket{le=\"", b.le, "\"}");
    auto it = samples.find(series);
    ASSERT_NE(it, samples.end()) << "missing " << series;
    EXPECT_EQ(it->second, b.count) << series;
  }
  EXPECT_EQ(samples.at("tcpaas_rtt_seconds_count"), 6);
  EXPECT_NEAR(samples.at("tcpaas_rtt_seconds_sum"), 60.0091, 1e-9);
}

TEST(MetricsExporterTest, ServesTheSnapshotOverHttpAndFollowsIt) {
  std::atomic<uint64_t> segments{7};
  std::atomic<int> scrapes{0};
  auto exporter = MetricsExporter::Start("127.0.0.1:0", [&] {
    ++scrapes;
    MetricsSnapshot s = DistinctSnapshot();
    s.stack.tcp_segments_tx = segments.load();
    return s;
  });
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  const int port = PortOf((*exporter)->endpoint());
  ASSERT_GT(port, 0) << (*exporter)->endpoint();
  EXPECT_EQ((*exporter)->endpoint(), absl::StrCat("http://127.0.0.1:", port, "/metrics"));

  const std::string first = HttpGet(port, "/metrics");
  ASSERT_THAT(first, HasSubstr("200 OK"));
  for (const RequiredFamily& f : kRequiredFamilies) {
    EXPECT_THAT(first, HasSubstr(absl::StrCat("# TYPE ", f.name, " ", f.type))) << f.name;
  }
  auto samples = Samples(first);
  EXPECT_EQ(samples["tcpaas_segments_sent_total"], 7);
  for (const ExpectedSample& e : ExpectedSamples()) {
    if (e.series == "tcpaas_segments_sent_total") continue;
    EXPECT_EQ(samples[e.series], e.value) << e.series;
  }

  segments = 123456789;
  samples = Samples(HttpGet(port, "/metrics"));
  EXPECT_EQ(samples["tcpaas_segments_sent_total"], 123456789);
  EXPECT_EQ(scrapes.load(), 2);
}

TEST(MetricsExporterTest, BusyPortIsAnError) {
  auto first = MetricsExporter::Start("127.0.0.1:0", [] { return MetricsSnapshot{}; });
  ASSERT_TRUE(first.ok()) << first.status();
  const int port = PortOf((*first)->endpoint());
  auto second =
      MetricsExporter::Start(absl::StrCat("127.0.0.1:", port), [] { return MetricsSnapshot{}; });
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("--metrics_listen"));
}

TEST(MetricsExporterTest, MalformedAddressIsInvalidArgument) {
  for (const char* listen : {"", "127.0.0.1", "127.0.0.1:x", "127.0.0.1:70000", ":9464"}) {
    auto exporter = MetricsExporter::Start(listen, [] { return MetricsSnapshot{}; });
    ASSERT_FALSE(exporter.ok()) << listen;
    EXPECT_EQ(exporter.status().code(), absl::StatusCode::kInvalidArgument) << listen;
  }
}

}  // namespace
}  // namespace tcpaas::server
