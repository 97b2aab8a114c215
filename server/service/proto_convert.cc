#include "server/service/proto_convert.h"

#include "absl/strings/str_cat.h"

namespace tcpaas::server {
namespace {

absl::StatusOr<size_t> BufferSize(uint32_t requested, size_t fallback, absl::string_view field) {
  if (requested == 0) return fallback;
  if (requested < kMinBufferBytes || requested > kMaxBufferBytes) {
    return absl::InvalidArgumentError(absl::StrCat("options.", field, " is ", requested,
                                                   "; it must be 0 (the default) or between ",
                                                   kMinBufferBytes, " and ", kMaxBufferBytes));
  }
  return requested;
}

}  // namespace

absl::StatusOr<tcp::ConnectionOptions> ToConnectionOptions(
    const tcpaas::v1::ConnectionOptions& options, const tcp::ConnectionOptions& defaults) {
  tcp::ConnectionOptions out = defaults;
  out.no_delay = options.no_delay() || defaults.no_delay;
  auto send =
      BufferSize(options.send_buffer_bytes(), defaults.send_buffer_bytes, "send_buffer_bytes");
  if (!send.ok()) return send.status();
  out.send_buffer_bytes = *send;
  auto recv =
      BufferSize(options.recv_buffer_bytes(), defaults.recv_buffer_bytes, "recv_buffer_bytes");
  if (!recv.ok()) return recv.status();
  out.recv_buffer_bytes = *recv;
  out.keepalive = options.keepalive() || defaults.keepalive;
  if (options.keepalive_idle_ms() != 0) {
    out.keepalive_idle = Duration::Millis(options.keepalive_idle_ms());
  }
  if (options.keepalive_interval_ms() != 0) {
    out.keepalive_interval = Duration::Millis(options.keepalive_interval_ms());
  }
  if (options.keepalive_probes() != 0) {
    if (options.keepalive_probes() > 127) {
      return absl::InvalidArgumentError(absl::StrCat(
          "options.keepalive_probes is ", options.keepalive_probes(), "; at most 127 (as Linux)"));
    }
    out.keepalive_probes = static_cast<int>(options.keepalive_probes());
  }
  if (options.user_timeout_ms() != 0) {
    out.user_timeout = Duration::Millis(options.user_timeout_ms());
  }
  if (!options.congestion_control().empty()) {
    // The TCP layer checks the name at open time (INVALID_ARGUMENT for unknown ones).
    out.congestion_control = options.congestion_control();
  }
  return out;
}

absl::StatusOr<ConnectPlan> ToConnectPlan(const tcpaas::v1::ConnectRequest& request,
                                          const tcp::ConnectionOptions& defaults) {
  if (request.host().empty()) {
    return absl::InvalidArgumentError("host is empty; give an IPv4 address such as 198.18.0.1");
  }
  std::optional<Ipv4Address> addr = Ipv4Address::Parse(request.host());
  if (!addr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "host \"", request.host(), "\" is not an IPv4 address (dotted quad; no DNS names)"));
  }
  if (addr->is_any() || addr->is_broadcast() || addr->is_multicast() || addr->is_loopback()) {
    return absl::InvalidArgumentError(
        absl::StrCat("host ", addr->ToString(), " is not a unicast address the stack can reach"));
  }
  if (request.port() == 0 || request.port() > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("port is ", request.port(), "; it must be between 1 and 65535"));
  }
  if (request.local_port() > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("local_port is ", request.local_port(),
                                                   "; it must be 0 (ephemeral) or at most 65535"));
  }
  auto options = ToConnectionOptions(request.options(), defaults);
  if (!options.ok()) return options.status();
  ConnectPlan plan;
  plan.remote = Endpoint{*addr, Port(static_cast<uint16_t>(request.port()))};
  plan.local_port = Port(static_cast<uint16_t>(request.local_port()));
  plan.options = *std::move(options);
  if (request.connect_timeout_ms() != 0) {
    plan.options.connect_timeout = Duration::Millis(request.connect_timeout_ms());
  }
  return plan;
}

tcpaas::v1::TcpState ToProtoState(tcp::TcpState state) {
  switch (state) {
    case tcp::TcpState::kClosed:
      return tcpaas::v1::TCP_STATE_CLOSED;
    case tcp::TcpState::kListen:
      return tcpaas::v1::TCP_STATE_LISTEN;
    case tcp::TcpState::kSynSent:
      return tcpaas::v1::TCP_STATE_SYN_SENT;
    case tcp::TcpState::kSynReceived:
      return tcpaas::v1::TCP_STATE_SYN_RECEIVED;
    case tcp::TcpState::kEstablished:
      return tcpaas::v1::TCP_STATE_ESTABLISHED;
    case tcp::TcpState::kFinWait1:
      return tcpaas::v1::TCP_STATE_FIN_WAIT_1;
    case tcp::TcpState::kFinWait2:
      return tcpaas::v1::TCP_STATE_FIN_WAIT_2;
    case tcp::TcpState::kCloseWait:
      return tcpaas::v1::TCP_STATE_CLOSE_WAIT;
    case tcp::TcpState::kClosing:
      return tcpaas::v1::TCP_STATE_CLOSING;
    case tcp::TcpState::kLastAck:
      return tcpaas::v1::TCP_STATE_LAST_ACK;
    case tcp::TcpState::kTimeWait:
      return tcpaas::v1::TCP_STATE_TIME_WAIT;
  }
  return tcpaas::v1::TCP_STATE_UNSPECIFIED;
}

tcpaas::v1::Endpoint ToProtoEndpoint(const Endpoint& endpoint) {
  tcpaas::v1::Endpoint out;
  out.set_address(endpoint.addr.ToString());
  out.set_port(endpoint.port.value());
  return out;
}

void FillProtoStats(const tcp::TcpStats& s, absl::string_view congestion_control,
                    tcpaas::v1::TcpStats* out) {
  auto retransmits = [&](RetransmitKind kind) { return s.retransmits[static_cast<size_t>(kind)]; };
  out->set_srtt_us(static_cast<uint64_t>(s.srtt.micros()));
  out->set_rttvar_us(static_cast<uint64_t>(s.rttvar.micros()));
  out->set_rto_us(static_cast<uint64_t>(s.rto.micros()));
  out->set_snd_mss(s.snd_mss);
  out->set_rcv_mss(s.rcv_mss);
  out->set_cwnd_bytes(s.cwnd);
  out->set_ssthresh_bytes(s.ssthresh);
  out->set_snd_wnd_bytes(s.snd_wnd);
  out->set_rcv_wnd_bytes(s.rcv_wnd);
  out->set_bytes_sent(s.bytes_sent);
  out->set_bytes_retransmitted(s.bytes_retransmitted);
  out->set_bytes_acked(s.bytes_acked);
  out->set_bytes_received(s.bytes_received);
  out->set_segments_sent(s.segments_sent);
  out->set_segments_received(s.segments_received);
  out->set_retransmits_timeout(retransmits(RetransmitKind::kTimeout));
  out->set_retransmits_fast(retransmits(RetransmitKind::kFast));
  out->set_retransmits_tlp(retransmits(RetransmitKind::kTlp));
  out->set_retransmits_rack(retransmits(RetransmitKind::kRack));
  out->set_rto_timeouts(s.rto_timeouts);
  out->set_fast_recoveries(s.fast_recoveries);
  out->set_spurious_rtos(s.spurious_rtos);
  out->set_dsacks_received(s.dsacks_received);
  out->set_dsacks_sent(s.dsacks_sent);
  out->set_zero_window_probes(s.zero_window_probes);
  out->set_send_buffer_used(s.send_buffer_used);
  out->set_recv_buffer_used(s.recv_buffer_used);
  out->set_bytes_in_flight(s.bytes_in_flight);
  out->set_sack_enabled(s.sack_enabled);
  out->set_timestamps_enabled(s.timestamps_enabled);
  out->set_snd_wscale(s.snd_wscale);
  out->set_rcv_wscale(s.rcv_wscale);
  out->set_congestion_control(std::string(congestion_control));
}

void FillProtoConnection(const ConnectionEntry& entry, const tcp::TcpStats* stats,
                         tcpaas::v1::Connection* out) {
  out->set_id(entry.id);
  out->set_direction(entry.direction == ConnectionDirection::kActive
                         ? tcpaas::v1::DIRECTION_ACTIVE
                         : tcpaas::v1::DIRECTION_PASSIVE);
  if (stats == nullptr) {
    *out->mutable_local() = ToProtoEndpoint(entry.tuple.local);
    *out->mutable_remote() = ToProtoEndpoint(entry.tuple.remote);
    out->set_state(tcpaas::v1::TCP_STATE_CLOSED);
    out->mutable_stats()->set_bytes_acked(entry.facts.bytes_acked);
    out->mutable_stats()->set_congestion_control(entry.congestion_control);
  } else {
    *out->mutable_local() = ToProtoEndpoint(stats->tuple.local);
    *out->mutable_remote() = ToProtoEndpoint(stats->tuple.remote);
    out->set_state(ToProtoState(stats->state));
    FillProtoStats(*stats, entry.congestion_control, out->mutable_stats());
  }
  if (entry.facts.closed) {
    out->set_close_reason(std::string(CloseReasonName(entry.facts.close_reason)));
  }
}

}  // namespace tcpaas::server
