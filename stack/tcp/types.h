// Public TCP types: connection handles, states, options, statistics and events. These are
// what the runtime, the server and the tests see of the TCP layer.
#ifndef TCPAAS_STACK_TCP_TYPES_H_
#define TCPAAS_STACK_TCP_TYPES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"

namespace tcpaas::tcp {

// A handle to a connection or listener. The generation makes a stale handle (one whose slot
// was reused) fail lookups instead of reaching another connection. Zero is never valid.
struct ConnId {
  uint32_t index = 0;
  uint32_t generation = 0;
  bool valid() const { return generation != 0; }
  uint64_t packed() const { return (uint64_t{generation} << 32) | index; }
  constexpr bool operator==(const ConnId&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, ConnId c) {
    return H::combine(std::move(h), c.index, c.generation);
  }
};
using ListenerId = ConnId;

// RFC 9293 §3.3.2.
enum class TcpState : uint8_t {
  kClosed,
  kListen,
  kSynSent,
  kSynReceived,
  kEstablished,
  kFinWait1,
  kFinWait2,
  kCloseWait,
  kClosing,
  kLastAck,
  kTimeWait,
};
inline constexpr size_t kTcpStateCount = 11;
std::string_view TcpStateName(TcpState s);  // "ESTABLISHED", ...

// Per-connection settings, chosen at Connect()/Listen() time. Defaults follow Linux.
struct ConnectionOptions {
  size_t send_buffer_bytes = 256 * 1024;
  size_t recv_buffer_bytes = 256 * 1024;
  bool no_delay = false;  // disable Nagle (RFC 9293 §3.7.4)
  bool keepalive = false;
  Duration keepalive_idle = Duration::Seconds(7200);
  Duration keepalive_interval = Duration::Seconds(75);
  int keepalive_probes = 9;
  // RFC 9293 §3.10.8 / RFC 5482: abort when sent data stays unacknowledged this long.
  // Zero: no user timeout (retransmission count limits still apply).
  Duration user_timeout = Duration::Zero();
  // Abort an active open that is not ESTABLISHED after this long. Zero: use SYN retries only.
  Duration connect_timeout = Duration::Zero();
  bool sack = true;
  bool timestamps = true;
  bool window_scale = true;
  // Upper bound on the MSS we advertise and use; 0 derives it from the path MTU.
  uint16_t mss_clamp = 0;
  std::string congestion_control = "cubic";
  // The buffer size the window scale of our SYN is computed from (RFC 7323 §2.3); 0: the
  // receive buffer. Linux takes it from tcp_rmem[2], the size its buffer may autotune to,
  // so a smaller buffer can still announce the shift a peer expects from Linux, and a
  // buffer grown later (TcpLayer::SetRecvBufferSize) can use its size. Windows are capped
  // at 65535 << shift whatever the buffer.
  size_t window_scale_buffer_bytes = 0;
};

// Keepalive settings of one connection (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL,
// TCP_KEEPCNT), as in ConnectionOptions.
struct KeepaliveSettings {
  bool enabled = false;
  Duration idle = Duration::Seconds(7200);
  Duration interval = Duration::Seconds(75);
  int probes = 9;
};

// Flags of one Send() call.
struct SendFlags {
  // More data follows at once (MSG_MORE): a partial last segment is not sent by this call;
  // a later Send() without it, an ACK, or the persist timer sends it.
  bool more = false;
};

// Linux's congestion-avoidance states (tcpi_ca_state), with the same numbers.
enum class TcpCaState : uint8_t {
  kOpen = 0,      // no loss suspected
  kDisorder = 1,  // duplicate ACKs (or SACKs) arrived, not yet enough for recovery
  kCwr = 2,       // cwnd reduced for ECN (not used: no ECN)
  kRecovery = 3,  // fast recovery (RFC 6582)
  kLoss = 4,      // after a retransmission timeout, until what was outstanding is acked
};
std::string_view TcpCaStateName(TcpCaState s);  // "open", "disorder", ...

// Stack-wide TCP settings. Defaults follow Linux where a choice is free.
struct TcpConfig {
  ConnectionOptions defaults;
  Duration rto_initial = Duration::Seconds(1);  // RFC 6298 §2.1
  Duration rto_min = Duration::Millis(200);     // Linux TCP_RTO_MIN
  Duration rto_max = Duration::Seconds(120);    // Linux TCP_RTO_MAX
  Duration delayed_ack = Duration::Millis(40);  // Linux TCP_DELACK_MIN; RFC 9293 §3.8.6.3 <= 500ms
  // Linux TCP_MAX_QUICKACKS: at the start of a transfer, and after a silence longer than
  // the RTO, up to this many segments are ACKed at once instead of delayed (RFC 5681 §4.2
  // allows ACKing more often); 0 turns quick ACKs off. See Connection::ScheduleAckForData.
  uint32_t max_quick_acks = 16;
  Duration time_wait = Duration::Seconds(60);          // 2 MSL (Linux TCP_TIMEWAIT_LEN)
  Duration fin_wait2_timeout = Duration::Seconds(60);  // Linux tcp_fin_timeout
  int syn_retries = 6;                                 // Linux tcp_syn_retries
  int synack_retries = 5;                              // Linux tcp_synack_retries
  int retries2 = 15;                      // Linux tcp_retries2 (data retransmissions before abort)
  uint32_t initial_window_segments = 10;  // RFC 6928
  size_t max_connections = 65536;
  // RFC 5961 §7: at most this many challenge ACKs per second, stack-wide (Linux default 1000).
  int challenge_ack_per_second = 1000;
  Port ephemeral_first = Port(32768);  // Linux ip_local_port_range
  Port ephemeral_last = Port(60999);
  // Key material for RFC 6528 ISNs and ephemeral port choice. The runtime fills it from a
  // CSPRNG; simulations fill it from the seed.
  std::array<uint64_t, 2> secret = {0, 0};
};

// A snapshot of one connection, for the API and for tests.
struct TcpStats {
  TcpState state = TcpState::kClosed;
  FourTuple tuple;
  Duration srtt;
  Duration rttvar;
  Duration rto;
  uint32_t snd_mss = 0;   // largest payload we send in one segment
  uint32_t rcv_mss = 0;   // largest payload received so far (our MSS before any data)
  uint32_t cwnd = 0;      // bytes
  uint32_t ssthresh = 0;  // bytes
  uint32_t snd_wnd = 0;   // peer's advertised window, scaled, in bytes
  uint32_t rcv_wnd = 0;   // our advertised window, in bytes
  uint8_t snd_wscale = 0;
  uint8_t rcv_wscale = 0;
  bool sack_enabled = false;
  bool timestamps_enabled = false;
  uint64_t bytes_sent = 0;  // payload bytes handed to IP, retransmissions included
  uint64_t bytes_retransmitted = 0;
  uint64_t bytes_acked = 0;     // payload bytes the peer acknowledged (no SYN/FIN)
  uint64_t bytes_received = 0;  // payload bytes accepted in order
  uint64_t segments_sent = 0;
  uint64_t segments_received = 0;
  std::array<uint64_t, static_cast<size_t>(RetransmitKind::kCount)> retransmits{};
  uint64_t rto_timeouts = 0;
  uint64_t fast_recoveries = 0;
  uint64_t dup_acks_received = 0;
  uint64_t dsacks_received = 0;  // RFC 2883 D-SACKs (TcpExt_TCPDSACKRecv)
  uint64_t dsacks_sent = 0;      // ACKs with a D-SACK (TcpExt_TCPDSACKOldSent + OfoSent)
  uint64_t spurious_rtos = 0;    // timeouts found spurious and undone (TcpExt_TCPSpuriousRTOs)
  uint64_t zero_window_probes = 0;
  size_t send_buffer_used = 0;  // queued, not yet acknowledged
  size_t recv_buffer_used = 0;  // received in order, not yet read
  size_t bytes_in_flight = 0;
  CloseReason close_reason = CloseReason::kNormal;

  // The rest of Linux's struct tcp_info, where the stack has the notion. Segment counts are
  // in segments of snd_mss bytes, rounded up.
  TcpCaState ca_state = TcpCaState::kOpen;
  uint32_t unacked_segments = 0;  // tcpi_unacked: in flight
  uint32_t lost_segments = 0;     // tcpi_lost: presumed lost, not yet acknowledged
  uint32_t retrans_segments = 0;  // tcpi_retrans: retransmitted, not yet acknowledged
  uint32_t sacked_segments = 0;   // tcpi_sacked: SACKed, not yet cumulatively acknowledged
  uint32_t reordering = 3;        // tcpi_reordering: the duplicate-ACK threshold
  uint32_t advmss = 0;            // tcpi_advmss: the MSS we announced
  uint32_t rto_backoff = 0;       // tcpi_backoff: RTO doublings since the last progress
  uint32_t probes = 0;            // tcpi_probes: unanswered zero-window or keepalive probes
  // When in-order data last arrived (the handshake before any data); Instant::Never() if
  // neither happened. tcpi_last_data_recv is LastDataRecvAge(now).
  Instant last_data_recv = Instant::Never();
  Duration LastDataRecvAge(Instant now) const {
    return last_data_recv.is_never() ? Duration::Zero() : now - last_data_recv;
  }
};

enum class TcpEventType : uint8_t {
  kEstablished,  // handshake done (active or passive)
  kReadable,     // new in-order data can be read
  kWritable,     // send buffer space became free (peer acknowledged data)
  kPeerFin,      // the peer's FIN arrived: reads return EOF once the buffer is drained
  kFinAcked,     // our FIN was acknowledged: everything we sent was delivered
  kClosed,       // the connection ended; `reason` and `bytes_acked` say how
  kAcceptReady,  // a listener has a connection ready for Accept()
};
std::string_view TcpEventTypeName(TcpEventType t);

struct TcpEvent {
  TcpEventType type = TcpEventType::kClosed;
  ConnId conn;                                // the connection (or the listener for kAcceptReady)
  CloseReason reason = CloseReason::kNormal;  // kClosed only
  uint64_t bytes_acked = 0;                   // kClosed and kFinAcked
};

class TcpEventHandler {
 public:
  virtual ~TcpEventHandler() = default;
  // Called after the TCP layer has finished the work that produced the event (never in the
  // middle of processing a segment), so the handler may call back into the layer.
  virtual void OnTcpEvent(const TcpEvent& event) = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_TYPES_H_
