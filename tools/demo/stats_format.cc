#include "tools/demo/stats_format.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tcpaas::demo {
namespace {

std::string View(std::string_view s) { return std::string(s); }

}  // namespace

std::string FormatTcpStats(const tcp::TcpStats& s, const std::string& indent) {
  std::string out;
  absl::StrAppend(&out, indent, "state ", View(tcp::TcpStateName(s.state)), "  ",
                  s.tuple.ToString(), "\n");
  absl::StrAppend(&out, indent, "srtt ", s.srtt.ToString(), "  rttvar ", s.rttvar.ToString(),
                  "  rto ", s.rto.ToString(), "\n");
  absl::StrAppend(&out, indent, "mss ", s.snd_mss, "  rcv_mss ", s.rcv_mss, "  cwnd ", s.cwnd,
                  "  ssthresh ", s.ssthresh, "  snd_wnd ", s.snd_wnd, "  rcv_wnd ", s.rcv_wnd,
                  "\n");
  absl::StrAppend(&out, indent, "window scale ", int{s.snd_wscale}, "/", int{s.rcv_wscale},
                  "  sack ", s.sack_enabled ? "on" : "off", "  timestamps ",
                  s.timestamps_enabled ? "on" : "off", "\n");
  absl::StrAppend(&out, indent, "bytes sent ", s.bytes_sent, " acked ", s.bytes_acked, " received ",
                  s.bytes_received, "  segments sent ", s.segments_sent, " received ",
                  s.segments_received, "\n");
  absl::StrAppend(&out, indent, "retransmissions");
  for (size_t k = 0; k < s.retransmits.size(); ++k) {
    absl::StrAppend(&out, " ", View(RetransmitKindName(static_cast<RetransmitKind>(k))), " ",
                    s.retransmits[k]);
  }
  absl::StrAppend(&out, "  rto timeouts ", s.rto_timeouts, "  fast recoveries ", s.fast_recoveries,
                  "\n");
  return out;
}

std::string FormatCounters(const StackCounters& c, const std::string& indent) {
  const std::vector<std::pair<const char*, uint64_t>> rows = {
      {"link frames rx", c.link_frames_rx},
      {"link frames tx", c.link_frames_tx},
      {"link bytes rx", c.link_bytes_rx},
      {"link bytes tx", c.link_bytes_tx},
      {"ipv4 packets rx", c.ipv4_packets_rx},
      {"ipv4 packets tx", c.ipv4_packets_tx},
      {"arp requests tx", c.arp_requests_tx},
      {"arp replies tx", c.arp_replies_tx},
      {"icmp echo replies tx", c.icmp_echo_replies_tx},
      {"tcp active opens", c.tcp_active_opens},
      {"tcp passive opens", c.tcp_passive_opens},
      {"tcp segments rx", c.tcp_segments_rx},
      {"tcp segments tx", c.tcp_segments_tx},
      {"tcp resets rx", c.tcp_resets_rx},
      {"tcp resets tx", c.tcp_resets_tx},
      {"tcp rto timeouts", c.tcp_rto_timeouts},
  };
  std::string out;
  for (const auto& [name, value] : rows) {
    if (value != 0) absl::StrAppend(&out, indent, absl::StrFormat("%-22s %d", name, value), "\n");
  }
  for (size_t r = 0; r < c.drops.size(); ++r) {
    if (c.drops[r] == 0) continue;
    absl::StrAppend(
        &out, indent,
        absl::StrFormat("%-22s %d",
                        absl::StrCat("dropped ", View(DropReasonName(static_cast<DropReason>(r)))),
                        c.drops[r]),
        "\n");
  }
  return out;
}

}  // namespace tcpaas::demo
