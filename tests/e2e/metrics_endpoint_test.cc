// tcpaasd's Prometheus endpoint: every required name is there, and the counters move with
// traffic through the service.
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/cpp/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/http_get.h"
#include "tests/e2e/rpc_helpers.h"

namespace tcpaas::e2e {
namespace {

using ::testing::HasSubstr;

// The names issue 3 and DESIGN.md require.
constexpr const char* kRequiredFamilies[] = {
    "tcpaas_connections",
    "tcpaas_connections_opened_total",
    "tcpaas_connection_failures_total",
    "tcpaas_segments_sent_total",
    "tcpaas_segments_received_total",
    "tcpaas_bytes_sent_total",
    "tcpaas_bytes_received_total",
    "tcpaas_retransmitted_segments_total",
    "tcpaas_rto_timeouts_total",
    "tcpaas_fast_recoveries_total",
    "tcpaas_rtt_seconds",
    "tcpaas_dropped_segments_total",
    "tcpaas_link_frames_total",
    "tcpaas_link_bytes_total",
    "tcpaas_link_up",
    "tcpaas_flow_control_pauses_total",
    "tcpaas_grpc_calls_total",
};

class MetricsEndpointTest : public E2eTest {
 protected:
  std::string Scrape() {
    absl::StatusOr<std::string> response = HttpGet(daemon().metrics_port(), "/metrics");
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return "";
    EXPECT_THAT(*response, HasSubstr("200 OK"));
    return *response;
  }

  // The sum of every sample of `series_prefix` (a family name, optionally with a label
  // selector's start, e.g. "tcpaas_grpc_calls_total{method=\"Connect\"").
  static double Sum(const std::map<std::string, double>& samples,
                    const std::string& series_prefix) {
    double sum = 0;
    for (const auto& [series, value] : samples) {
      if (series == series_prefix || absl::StartsWith(series, series_prefix + "{") ||
          (absl::StrContains(series_prefix, '{') && absl::StartsWith(series, series_prefix))) {
        sum += value;
      }
    }
    return sum;
  }
};

TEST_F(MetricsEndpointTest, EveryRequiredNameIsServed) {
  const std::string text = Scrape();
  for (const char* name : kRequiredFamilies) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("# TYPE ", name, " "))) << name;
  }
  EXPECT_THAT(text, HasSubstr("# TYPE tcpaas_rtt_seconds histogram"));
  const auto samples = ParseSamples(text);
  for (const char* state :
       {"closed", "listen", "syn_sent", "syn_received", "established", "fin_wait_1", "fin_wait_2",
        "close_wait", "closing", "last_ack", "time_wait"}) {
    EXPECT_TRUE(samples.contains(absl::StrCat("tcpaas_connections{state=\"", state, "\"}")))
        << state;
  }
  EXPECT_EQ(samples.at("tcpaas_link_up"), 1);
}

TEST_F(MetricsEndpointTest, CountersMoveWithTraffic) {
  const auto before = ParseSamples(Scrape());

  client::ConnectOptions options;
  options.transport = client::Transport::kSendRecv;
  absl::StatusOr<client::Stream> stream = client().Connect(kKernelAddress, kEchoPort, options);
  ASSERT_TRUE(stream.ok()) << stream.status();
  const auto during = ParseSamples(Scrape());
  EXPECT_EQ(during.at("tcpaas_connections{state=\"established\"}"), 1);

  constexpr size_t kBytes = 1 << 20;
  std::thread writer([&] {
    EXPECT_TRUE(stream->Write(std::string(kBytes, 'm')).ok());
    EXPECT_TRUE(stream->ShutdownWrite().ok());
  });
  size_t echoed = 0;
  for (;;) {
    absl::StatusOr<std::string> data = stream->Read();
    ASSERT_TRUE(data.ok()) << data.status();
    if (data->empty()) break;
    echoed += data->size();
  }
  writer.join();
  EXPECT_EQ(echoed, kBytes);
  ASSERT_TRUE(stream->Close().ok());
  // A refused connection counts as a failure by reason.
  grpc::ClientContext context;
  context.set_deadline(In(std::chrono::seconds(30)));
  v1::ConnectRequest refused;
  refused.set_host(kKernelAddress);
  refused.set_port(5);
  v1::ConnectResponse ignored;
  EXPECT_EQ(stub().Connect(&context, refused, &ignored).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  const auto after = ParseSamples(Scrape());
  auto grew = [&](const std::string& series, double by) {
    EXPECT_GE(Sum(after, series) - Sum(before, series), by) << series;
  };
  grew("tcpaas_connections_opened_total{direction=\"active\"}", 2);
  grew("tcpaas_connection_failures_total{reason=\"refused\"}", 1);
  grew("tcpaas_bytes_sent_total", kBytes);
  grew("tcpaas_bytes_received_total", kBytes);
  grew("tcpaas_segments_sent_total", kBytes / 65536.0);
  grew("tcpaas_segments_received_total", kBytes / 65536.0);
  grew("tcpaas_link_frames_total{direction=\"rx\"}", kBytes / 65536.0);
  grew("tcpaas_link_frames_total{direction=\"tx\"}", kBytes / 65536.0);
  grew("tcpaas_link_bytes_total{direction=\"rx\"}", kBytes);
  grew("tcpaas_link_bytes_total{direction=\"tx\"}", kBytes);
  grew("tcpaas_rtt_seconds_count", 1);
  grew("tcpaas_grpc_calls_total", 4);  // Connect, Send, Recv, Close at least
  // Calls are counted by method and code; the method label names the RPC.
  bool connect_ok = false;
  for (const auto& [series, value] : after) {
    if (absl::StartsWith(series, "tcpaas_grpc_calls_total{") &&
        absl::StrContains(series, "Connect") && absl::StrContains(series, "code=\"OK\"") &&
        value >= 1) {
      connect_ok = true;
    }
  }
  EXPECT_TRUE(connect_ok) << "no tcpaas_grpc_calls_total sample for Connect with code OK";
  EXPECT_EQ(after.at("tcpaas_connections{state=\"established\"}"), 0);
}

}  // namespace
}  // namespace tcpaas::e2e
