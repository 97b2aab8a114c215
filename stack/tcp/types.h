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
  std::string congestion_control = "newreno";
};

// Stack-wide TCP settings. Defaults follow Linux where a choice is free.
struct TcpConfig {
  ConnectionOptions defaults;
  Duration rto_initial = Duration::Seconds(1);  // RFC 6298 §2.1
  Duration rto_min = Duration::Millis(200);     // Linux TCP_RTO_MIN
  Duration rto_max = Duration::Seconds(120);    // Linux TCP_RTO_MAX
  Duration delayed_ack = Duration::Millis(40);  // Linux TCP_DELACK_MIN; RFC 9293 §3.8.6.3 <= 500ms
  Duration time_wait = Duration::Seconds(60);   // 2 MSL (Linux TCP_TIMEWAIT_LEN)
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
  uint64_t zero_window_probes = 0;
  size_t send_buffer_used = 0;  // queued, not yet acknowledged
  size_t recv_buffer_used = 0;  // received in order, not yet read
  size_t bytes_in_flight = 0;
  CloseReason close_reason = CloseReason::kNormal;
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
