#include "tests/conformance/tcp_info.h"

#include <numeric>

namespace tcpaas::conformance {

int LinuxTcpState(tcp::TcpState s) {
  switch (s) {
    case tcp::TcpState::kEstablished:
      return 1;
    case tcp::TcpState::kSynSent:
      return 2;
    case tcp::TcpState::kSynReceived:
      return 3;
    case tcp::TcpState::kFinWait1:
      return 4;
    case tcp::TcpState::kFinWait2:
      return 5;
    case tcp::TcpState::kTimeWait:
      return 6;
    case tcp::TcpState::kClosed:
      return 7;
    case tcp::TcpState::kCloseWait:
      return 8;
    case tcp::TcpState::kLastAck:
      return 9;
    case tcp::TcpState::kListen:
      return 10;
    case tcp::TcpState::kClosing:
      return 11;
  }
  return 0;
}

std::optional<int64_t> TcpInfoField(absl::string_view name, const tcp::TcpStats& s, Instant now) {
  const int64_t mss = s.snd_mss == 0 ? 1 : s.snd_mss;
  if (name == "tcpi_state") return LinuxTcpState(s.state);
  if (name == "tcpi_snd_mss") return s.snd_mss;
  if (name == "tcpi_rcv_mss") return s.rcv_mss;
  // Linux keeps cwnd and ssthresh in segments; "infinite" ssthresh is 0x7fffffff.
  if (name == "tcpi_snd_cwnd") return s.cwnd / mss;
  if (name == "tcpi_snd_ssthresh") {
    return s.ssthresh >= 0x7fffffffu / 2 ? 0x7fffffff : s.ssthresh / mss;
  }
  if (name == "tcpi_rtt") return s.srtt.micros();
  if (name == "tcpi_rttvar") return s.rttvar.micros();
  if (name == "tcpi_rto") return s.rto.micros();
  if (name == "tcpi_snd_wscale") return s.snd_wscale;
  if (name == "tcpi_rcv_wscale") return s.rcv_wscale;
  if (name == "tcpi_total_retrans") {
    return static_cast<int64_t>(
        std::accumulate(s.retransmits.begin(), s.retransmits.end(), uint64_t{0}));
  }
  if (name == "tcpi_bytes_acked") return static_cast<int64_t>(s.bytes_acked);
  if (name == "tcpi_bytes_received") return static_cast<int64_t>(s.bytes_received);
  if (name == "tcpi_bytes_retrans") return static_cast<int64_t>(s.bytes_retransmitted);
  if (name == "tcpi_segs_out") return static_cast<int64_t>(s.segments_sent);
  if (name == "tcpi_segs_in") return static_cast<int64_t>(s.segments_received);
  if (name == "tcpi_snd_wnd") return s.snd_wnd;
  if (name == "tcpi_rcv_wnd") return s.rcv_wnd;
  // Linux's TCP_CA_* numbers are TcpCaState's.
  if (name == "tcpi_ca_state") return static_cast<int64_t>(s.ca_state);
  if (name == "tcpi_unacked") return s.unacked_segments;
  if (name == "tcpi_lost") return s.lost_segments;
  if (name == "tcpi_retrans") return s.retrans_segments;
  if (name == "tcpi_sacked") return s.sacked_segments;
  if (name == "tcpi_reordering") return s.reordering;
  if (name == "tcpi_advmss") return s.advmss;
  if (name == "tcpi_backoff") return s.rto_backoff;
  if (name == "tcpi_probes") return s.probes;
  if (name == "tcpi_last_data_recv") return s.LastDataRecvAge(now).millis();
  return std::nullopt;
}

}  // namespace tcpaas::conformance
