#include "clients/cpp/stats_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace tcpaas::client {
namespace {

std::string EndpointText(const v1::Endpoint& e) { return absl::StrCat(e.address(), ":", e.port()); }

// "TCP_STATE_FIN_WAIT_1" -> "FIN_WAIT_1".
std::string StateText(v1::TcpState state) {
  const std::string& name = v1::TcpState_Name(state);
  return std::string(absl::StripPrefix(name, "TCP_STATE_"));
}

std::string DirectionText(v1::Direction direction) {
  switch (direction) {
    case v1::DIRECTION_ACTIVE:
      return "active";
    case v1::DIRECTION_PASSIVE:
      return "passive";
    default:
      return "unknown direction";
  }
}

}  // namespace

std::string StatsText(const v1::Connection& c) {
  const v1::TcpStats& s = c.stats();
  std::string out =
      absl::StrFormat("connection %s %s -> %s %s (%s)", c.id(), EndpointText(c.local()),
                      EndpointText(c.remote()), StateText(c.state()), DirectionText(c.direction()));
  if (!c.close_reason().empty()) absl::StrAppend(&out, " closed: ", c.close_reason());
  absl::StrAppendFormat(&out, "\n  rtt: srtt=%dus rttvar=%dus rto=%dus\n", s.srtt_us(),
                        s.rttvar_us(), s.rto_us());
  absl::StrAppendFormat(&out,
                        "  window: cwnd=%d ssthresh=%d snd_wnd=%d rcv_wnd=%d snd_mss=%d "
                        "rcv_mss=%d in_flight=%d\n",
                        s.cwnd_bytes(), s.ssthresh_bytes(), s.snd_wnd_bytes(), s.rcv_wnd_bytes(),
                        s.snd_mss(), s.rcv_mss(), s.bytes_in_flight());
  absl::StrAppendFormat(&out,
                        "  bytes: sent=%d acked=%d received=%d retransmitted=%d "
                        "send_buffer=%d recv_buffer=%d\n",
                        s.bytes_sent(), s.bytes_acked(), s.bytes_received(),
                        s.bytes_retransmitted(), s.send_buffer_used(), s.recv_buffer_used());
  absl::StrAppendFormat(&out, "  segments: sent=%d received=%d\n", s.segments_sent(),
                        s.segments_received());
  absl::StrAppendFormat(&out,
                        "  retransmits: timeout=%d fast=%d tlp=%d rack=%d rto_timeouts=%d "
                        "fast_recoveries=%d spurious_rtos=%d zero_window_probes=%d\n",
                        s.retransmits_timeout(), s.retransmits_fast(), s.retransmits_tlp(),
                        s.retransmits_rack(), s.rto_timeouts(), s.fast_recoveries(),
                        s.spurious_rtos(), s.zero_window_probes());
  absl::StrAppendFormat(&out, "  dsacks: received=%d sent=%d\n", s.dsacks_received(),
                        s.dsacks_sent());
  absl::StrAppendFormat(&out, "  options: sack=%s timestamps=%s wscale=%d/%d cc=%s\n",
                        s.sack_enabled() ? "on" : "off", s.timestamps_enabled() ? "on" : "off",
                        s.snd_wscale(), s.rcv_wscale(),
                        s.congestion_control().empty() ? "-" : s.congestion_control());
  return out;
}

}  // namespace tcpaas::client
