#include "server/metrics.h"

#include <cctype>
#include <exception>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "prometheus/client_metric.h"
#include "prometheus/collectable.h"
#include "prometheus/exposer.h"
#include "prometheus/metric_family.h"
#include "prometheus/metric_type.h"
#include "prometheus/text_serializer.h"

namespace tcpaas::server {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// Collects the families of one scrape. Every Add* call appends one sample.
class FamilyList {
 public:
  MetricFamily& Counter(std::string name, std::string help) {
    return Add(std::move(name), std::move(help), MetricType::Counter);
  }
  MetricFamily& Gauge(std::string name, std::string help) {
    return Add(std::move(name), std::move(help), MetricType::Gauge);
  }
  MetricFamily& Histogram(std::string name, std::string help) {
    return Add(std::move(name), std::move(help), MetricType::Histogram);
  }
  std::vector<MetricFamily> Take() { return std::move(families_); }

 private:
  MetricFamily& Add(std::string name, std::string help, MetricType type) {
    families_.push_back(MetricFamily{std::move(name), std::move(help), type, {}});
    return families_.back();
  }
  std::vector<MetricFamily> families_;
};

void AddCounter(MetricFamily& family, uint64_t value, Labels labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = static_cast<double>(value);
  family.metric.push_back(std::move(m));
}

void AddGauge(MetricFamily& family, double value, Labels labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  family.metric.push_back(std::move(m));
}

// "SYN-RECEIVED" -> "syn_received": Prometheus label values in the style of the other labels.
std::string StateLabel(tcp::TcpState state) {
  std::string out(tcp::TcpStateName(state));
  for (char& c : out) {
    c = c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// StackCounters::tcp_rtt keeps one count per bucket; Prometheus wants, for every bound, how
// many observations were at or below it, ending with +Inf = the total count.
ClientMetric::Histogram CumulativeRtt(const RttHistogram& rtt) {
  ClientMetric::Histogram h;
  h.sample_count = rtt.count;
  h.sample_sum = rtt.sum_seconds;
  uint64_t running = 0;
  for (size_t i = 0; i < rtt.buckets.size(); ++i) {
    running += rtt.buckets[i];
    const double bound =
        i < kRttBucketBounds.size() ? kRttBucketBounds[i] : std::numeric_limits<double>::infinity();
    h.bucket.push_back({running, bound});
  }
  return h;
}

void AddConnectionFamilies(const MetricsSnapshot& s, FamilyList& out) {
  const StackCounters& c = s.stack;
  auto& by_state =
      out.Gauge("tcpaas_connections",
                "Connections by TCP state (RFC 9293 §3.3.2), listeners included. Linux: ss -s / "
                "Tcp_CurrEstab for state=\"established\".");
  for (size_t i = 0; i < tcp::kTcpStateCount; ++i) {
    AddGauge(by_state, static_cast<double>(s.connections_by_state[i]),
             {{"state", StateLabel(static_cast<tcp::TcpState>(i))}});
  }

  auto& opened = out.Counter(
      "tcpaas_connections_opened_total",
      "Connections opened: active (our SYN; Linux Tcp_ActiveOpens) and passive (accepted "
      "from a listener; Linux Tcp_PassiveOpens).");
  AddCounter(opened, c.tcp_active_opens, {{"direction", "active"}});
  AddCounter(opened, c.tcp_passive_opens, {{"direction", "passive"}});

  auto& failures =
      out.Counter("tcpaas_connection_failures_total",
                  "Connections that ended other than by a normal close, by reason. Linux: "
                  "Tcp_AttemptFails (refused, syn_timeout) and Tcp_EstabResets (reset, aborted).");
  for (size_t i = 0; i < static_cast<size_t>(CloseReason::kCount); ++i) {
    const auto reason = static_cast<CloseReason>(i);
    if (reason == CloseReason::kNormal) continue;
    AddCounter(failures, c.tcp_closes[i], {{"reason", std::string(CloseReasonName(reason))}});
  }
}

void AddTcpFamilies(const StackCounters& c, FamilyList& out) {
  AddCounter(out.Counter("tcpaas_segments_sent_total",
                         "TCP segments sent, retransmissions included. Linux: Tcp_OutSegs."),
             c.tcp_segments_tx);
  AddCounter(out.Counter("tcpaas_segments_received_total",
                         "TCP segments received, including those later dropped. Linux: "
                         "Tcp_InSegs."),
             c.tcp_segments_rx);
  AddCounter(out.Counter("tcpaas_bytes_sent_total",
                         "TCP payload bytes sent, retransmissions included. Linux: sum of "
                         "tcpi_bytes_sent (no SNMP counter)."),
             c.tcp_bytes_tx);
  AddCounter(out.Counter("tcpaas_bytes_received_total",
                         "TCP payload bytes accepted in sequence. Linux: sum of "
                         "tcpi_bytes_received (no SNMP counter)."),
             c.tcp_bytes_rx);

  auto& retrans =
      out.Counter("tcpaas_retransmitted_segments_total",
                  "TCP segments retransmitted, by what triggered them: timeout (RFC 6298), fast "
                  "(RFC 5681/6675), tlp and rack (RFC 8985). Linux: Tcp_RetransSegs (all kinds).");
  for (size_t i = 0; i < static_cast<size_t>(RetransmitKind::kCount); ++i) {
    AddCounter(retrans, c.tcp_retransmits[i],
               {{"kind", std::string(RetransmitKindName(static_cast<RetransmitKind>(i)))}});
  }

  AddCounter(out.Counter("tcpaas_rto_timeouts_total",
                         "Retransmission timer expirations (RFC 6298 §5.4). Linux: "
                         "TcpExt_TCPTimeouts."),
             c.tcp_rto_timeouts);
  AddCounter(out.Counter("tcpaas_fast_recoveries_total",
                         "Entries into fast recovery (RFC 6582, RFC 6675). Linux: "
                         "TcpExt_TCPSackRecovery + TcpExt_TCPRenoRecovery."),
             c.tcp_fast_recoveries);
  AddCounter(out.Counter("tcpaas_spurious_rtos_total",
                         "Retransmission timeouts found spurious by the timestamp echo (RFC 3522) "
                         "and undone (RFC 4015). Linux: TcpExt_TCPSpuriousRTOs."),
             c.tcp_spurious_rtos);
  AddCounter(out.Counter("tcpaas_challenge_acks_total",
                         "Challenge ACKs sent (RFC 5961). Linux: TcpExt_TCPChallengeACK."),
             c.tcp_challenge_acks);
  AddCounter(out.Counter("tcpaas_zero_window_probes_total",
                         "Zero-window probes sent (RFC 9293 §3.8.6.1). Linux: "
                         "TcpExt_TCPWinProbe."),
             c.tcp_zero_window_probes);
  AddCounter(out.Counter("tcpaas_keepalive_probes_total",
                         "Keepalive probes sent (RFC 9293 §3.8.4). Linux: TcpExt_TCPKeepAlive."),
             c.tcp_keepalive_probes);
  AddCounter(out.Counter("tcpaas_resets_sent_total", "TCP RST segments sent. Linux: Tcp_OutRsts."),
             c.tcp_resets_tx);
  AddCounter(out.Counter("tcpaas_resets_received_total",
                         "Acceptable TCP RST segments received. Linux: Tcp_EstabResets counts "
                         "the part that hit synchronized connections."),
             c.tcp_resets_rx);
  AddCounter(out.Counter("tcpaas_listen_overflows_total",
                         "Handshakes dropped because a listener's backlog was full. Linux: "
                         "TcpExt_ListenOverflows."),
             c.tcp_syn_cookies_or_overflow);

  auto& rtt = out.Histogram("tcpaas_rtt_seconds",
                            "Round-trip time samples (RFC 6298 §2, Karn's rule applied). Linux: "
                            "per socket tcpi_rtt only; no SNMP counter.");
  ClientMetric m;
  m.histogram = CumulativeRtt(c.tcp_rtt);
  rtt.metric.push_back(std::move(m));

  auto& drops =
      out.Counter("tcpaas_dropped_segments_total",
                  "Frames, packets and segments the stack dropped, by reason (every layer). Linux: "
                  "Tcp_InErrs, Tcp_InCsumErrors, Ip_InHdrErrors, Ip_InDiscards and friends.");
  for (size_t i = 0; i < static_cast<size_t>(DropReason::kCount); ++i) {
    AddCounter(drops, c.drops[i],
               {{"reason", std::string(DropReasonName(static_cast<DropReason>(i)))}});
  }
}

void AddLinkAndIpFamilies(const MetricsSnapshot& s, FamilyList& out) {
  const StackCounters& c = s.stack;
  auto& frames = out.Counter("tcpaas_link_frames_total",
                             "Frames read from (rx) and written to (tx) the device. Linux: "
                             "/sys/class/net/<dev>/statistics/{rx,tx}_packets.");
  AddCounter(frames, c.link_frames_rx, {{"direction", "rx"}});
  AddCounter(frames, c.link_frames_tx, {{"direction", "tx"}});
  auto& bytes = out.Counter("tcpaas_link_bytes_total",
                            "Bytes of frames read from (rx) and written to (tx) the device. "
                            "Linux: /sys/class/net/<dev>/statistics/{rx,tx}_bytes.");
  AddCounter(bytes, c.link_bytes_rx, {{"direction", "rx"}});
  AddCounter(bytes, c.link_bytes_tx, {{"direction", "tx"}});
  AddGauge(out.Gauge("tcpaas_link_up",
                     "1 while the device works, 0 once it failed. Linux: "
                     "/sys/class/net/<dev>/carrier."),
           static_cast<double>(s.link_up));

  auto& ip = out.Counter("tcpaas_ipv4_packets_total",
                         "IPv4 packets received (rx) and sent (tx). Linux: Ip_InReceives and "
                         "Ip_OutRequests.");
  AddCounter(ip, c.ipv4_packets_rx, {{"direction", "rx"}});
  AddCounter(ip, c.ipv4_packets_tx, {{"direction", "tx"}});
  AddCounter(out.Counter("tcpaas_ipv4_fragments_reassembled_total",
                         "IPv4 datagrams reassembled from fragments (RFC 791). Linux: "
                         "Ip_ReasmOKs."),
             c.ipv4_fragments_reassembled);

  AddCounter(out.Counter("tcpaas_icmp_echo_replies_sent_total",
                         "ICMP echo replies sent. Linux: IcmpMsg_OutType0."),
             c.icmp_echo_replies_tx);
  auto& icmp = out.Counter("tcpaas_icmp_errors_total",
                           "ICMP error messages received (rx) and sent (tx). Linux: "
                           "Icmp_InDestUnreachs+... and Icmp_OutDestUnreachs+...");
  AddCounter(icmp, c.icmp_errors_rx, {{"direction", "rx"}});
  AddCounter(icmp, c.icmp_errors_tx, {{"direction", "tx"}});

  auto& arp = out.Counter("tcpaas_arp_packets_sent_total",
                          "ARP requests and replies sent (RFC 826). Linux: no SNMP counter; "
                          "see `ip -s neigh`.");
  AddCounter(arp, c.arp_requests_tx, {{"type", "request"}});
  AddCounter(arp, c.arp_replies_tx, {{"type", "reply"}});
}

void AddServiceFamilies(const MetricsSnapshot& s, FamilyList& out) {
  auto& pauses = out.Counter(
      "tcpaas_flow_control_pauses_total",
      "Times the service paused a stream for backpressure: send = a Send waited for TCP "
      "send-buffer room, recv = received data waited for the client to take the previous "
      "Recv message. No Linux counter.");
  AddCounter(pauses, s.send_flow_control_pauses, {{"direction", "send"}});
  AddCounter(pauses, s.recv_flow_control_pauses, {{"direction", "recv"}});

  auto& calls = out.Counter("tcpaas_grpc_calls_total",
                            "gRPC calls of tcpaas.v1.TcpService that ended, by method and final "
                            "status code.");
  for (const GrpcCallCount& call : s.grpc_calls) {
    AddCounter(calls, call.count, {{"method", call.method}, {"code", call.code}});
  }
}

std::vector<MetricFamily> BuildFamilies(const MetricsSnapshot& snapshot) {
  FamilyList out;
  AddConnectionFamilies(snapshot, out);
  AddTcpFamilies(snapshot.stack, out);
  AddLinkAndIpFamilies(snapshot, out);
  AddServiceFamilies(snapshot, out);
  return out.Take();
}

}  // namespace

// Asks for one snapshot per scrape. civetweb may serve two scrapes at once; the snapshot
// function is documented to be thread-safe, and this class holds no state of its own.
class SnapshotCollector : public prometheus::Collectable {
 public:
  explicit SnapshotCollector(std::function<MetricsSnapshot()> snapshot)
      : snapshot_(std::move(snapshot)) {}
  std::vector<MetricFamily> Collect() const override { return BuildFamilies(snapshot_()); }

 private:
  std::function<MetricsSnapshot()> snapshot_;
};

std::string RenderMetricsText(const MetricsSnapshot& snapshot) {
  return prometheus::TextSerializer().Serialize(BuildFamilies(snapshot));
}

absl::StatusOr<std::unique_ptr<MetricsExporter>> MetricsExporter::Start(
    const std::string& listen, std::function<MetricsSnapshot()> snapshot) {
  const size_t colon = listen.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics listen address \"", listen, "\" is not host:port (e.g. ", "127.0.0.1:9464)"));
  }
  auto collector = std::make_shared<SnapshotCollector>(std::move(snapshot));
  std::unique_ptr<prometheus::Exposer> exposer;
  // prometheus-cpp reports a failed bind by throwing (civetweb's CivetException); this is the
  // one place the service meets an exception, and it becomes a status here.
  try {
    exposer = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", e.what(),
                                               " (is the port in use? choose another with "
                                               "--metrics_listen, or empty to disable)"));
  }
  exposer->RegisterCollectable(collector, "/metrics");
  const std::vector<int> ports = exposer->GetListeningPorts();
  const int bound = ports.empty() ? static_cast<int>(port) : ports.front();
  std::string host = listen.substr(0, colon);
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
  std::string endpoint = absl::StrCat("http://", host, ":", bound, "/metrics");
  return std::unique_ptr<MetricsExporter>(
      new MetricsExporter(std::move(collector), std::move(exposer), std::move(endpoint)));
}

MetricsExporter::MetricsExporter(std::shared_ptr<SnapshotCollector> collector,
                                 std::unique_ptr<prometheus::Exposer> exposer, std::string endpoint)
    : collector_(std::move(collector)),
      exposer_(std::move(exposer)),
      endpoint_(std::move(endpoint)) {}

// exposer_ is declared after collector_, so it is destroyed first: civetweb's threads stop
// before the collector (and the snapshot function it holds) goes away.
MetricsExporter::~MetricsExporter() = default;

std::string MetricsExporter::endpoint() const { return endpoint_; }

}  // namespace tcpaas::server
