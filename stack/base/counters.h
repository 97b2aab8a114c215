// Stack-wide counters. Written only on the stack thread as plain integers; readers on other
// threads get a copy through the runtime's command queue (see runtime/stack_thread.h).
//
// Every packet the stack drops is counted here under exactly one DropReason.
#ifndef TCPAAS_STACK_BASE_COUNTERS_H_
#define TCPAAS_STACK_BASE_COUNTERS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tcpaas {

// X-macro so names stay in one place: (enumerator, metric label).
#define TCPAAS_DROP_REASONS(X)                                                            \
  X(kLinkTooShort, "link_too_short")  /* frame shorter than its header */                 \
  X(kLinkNotForUs, "link_not_for_us") /* destination MAC is someone else */               \
  X(kLinkUnknownEtherType, "link_unknown_ethertype")                                      \
  X(kLinkRxOversize, "link_rx_oversize") /* frame larger than MTU + header */             \
  X(kLinkTxError, "link_tx_error")       /* the device refused a frame */                 \
  X(kArpMalformed, "arp_malformed")                                                       \
  X(kArpQueueFull, "arp_queue_full")  /* too many packets await resolution */             \
  X(kArpUnresolved, "arp_unresolved") /* resolution gave up */                            \
  X(kIpv4Malformed, "ipv4_malformed") /* version, IHL or length invalid */                \
  X(kIpv4BadChecksum, "ipv4_bad_checksum")                                                \
  X(kIpv4NotForUs, "ipv4_not_for_us")                                                     \
  X(kIpv4UnknownProtocol, "ipv4_unknown_protocol")                                        \
  X(kIpv4FragmentLimit, "ipv4_fragment_limit") /* reassembly memory bound hit */          \
  X(kIpv4FragmentTimeout, "ipv4_fragment_timeout")                                        \
  X(kIpv4FragmentMalformed, "ipv4_fragment_malformed")                                    \
  X(kIpv4FragmentDuplicate, "ipv4_fragment_duplicate") /* copy of a held fragment */      \
  X(kIpv4NoRoute, "ipv4_no_route")                                                        \
  X(kIpv4TooBig, "ipv4_too_big") /* DF set and larger than the MTU */                     \
  X(kIcmpMalformed, "icmp_malformed")                                                     \
  X(kIcmpBadChecksum, "icmp_bad_checksum")                                                \
  X(kIcmpUnhandled, "icmp_unhandled")      /* types we do not act on */                   \
  X(kIcmpRateLimited, "icmp_rate_limited") /* outgoing ICMP errors suppressed */          \
  X(kTcpMalformed, "tcp_malformed")        /* length or data offset invalid */            \
  X(kTcpBadChecksum, "tcp_bad_checksum")                                                  \
  X(kTcpBadOptions, "tcp_bad_options")    /* options overrun the header */                \
  X(kTcpNoSocket, "tcp_no_socket")        /* closed port; answered with RST */            \
  X(kTcpOutOfWindow, "tcp_out_of_window") /* RFC 9293 §3.10.7.4 first check */           \
  X(kTcpPaws, "tcp_paws")                 /* RFC 7323 §5 */                              \
  X(kTcpBadAck, "tcp_bad_ack")            /* ACK outside the acceptable range */          \
  X(kTcpBadRst, "tcp_bad_rst")            /* RFC 5961 §3: RST not exactly at RCV.NXT */  \
  X(kTcpBadSyn, "tcp_bad_syn")            /* RFC 5961 §4: SYN in a synchronized state */ \
  X(kTcpBacklogFull, "tcp_backlog_full")                                                  \
  X(kTcpNoFlags, "tcp_no_flags")                 /* neither SYN, RST nor ACK */           \
  X(kTcpRcvBufferFull, "tcp_rcv_buffer_full")    /* data beyond what the buffer holds */  \
  X(kTcpOutOfOrderFull, "tcp_out_of_order_full") /* too many ooo ranges */                \
  X(kTcpAfterClose, "tcp_after_close")           /* data after the user closed reading */ \
  X(kTcpChallengeAckLimited, "tcp_challenge_ack_limited")                                 \
  X(kTcpTxError, "tcp_tx_error") /* IP layer refused an outgoing segment */

enum class DropReason : uint8_t {
#define TCPAAS_ENUM(e, name) e,
  TCPAAS_DROP_REASONS(TCPAAS_ENUM)
#undef TCPAAS_ENUM
      kCount
};

std::string_view DropReasonName(DropReason r);

// Why a connection ended other than by a normal close. Also carried in the close event.
#define TCPAAS_CLOSE_REASONS(X)                                                         \
  X(kNormal, "normal")                        /* both FINs exchanged, or local close */ \
  X(kRefused, "refused")                      /* RST in reply to our SYN */             \
  X(kReset, "reset")                          /* RST from the peer when synchronized */ \
  X(kAborted, "aborted")                      /* local abort (RST sent) */              \
  X(kSynTimeout, "syn_timeout")               /* SYN retransmissions exhausted */       \
  X(kRetransmitTimeout, "retransmit_timeout") /* data retransmissions exhausted */      \
  X(kUserTimeout, "user_timeout")             /* RFC 5482 / RFC 9293 §3.10.8 */        \
  X(kKeepaliveTimeout, "keepalive_timeout")                                             \
  X(kUnreachable, "unreachable") /* ICMP destination unreachable / ARP failure */       \
  X(kStackShutdown, "stack_shutdown")

enum class CloseReason : uint8_t {
#define TCPAAS_ENUM(e, name) e,
  TCPAAS_CLOSE_REASONS(TCPAAS_ENUM)
#undef TCPAAS_ENUM
      kCount
};

std::string_view CloseReasonName(CloseReason r);

enum class RetransmitKind : uint8_t { kTimeout, kFast, kTlp, kRack, kCount };
std::string_view RetransmitKindName(RetransmitKind k);

// Upper bounds (seconds) of the RTT histogram buckets; the last bucket is +Inf.
inline constexpr std::array<double, 16> kRttBucketBounds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};

struct RttHistogram {
  std::array<uint64_t, kRttBucketBounds.size() + 1> buckets{};  // non-cumulative
  uint64_t count = 0;
  double sum_seconds = 0;
  void Observe(double seconds);
};

struct StackCounters {
  // Link.
  uint64_t link_frames_rx = 0;
  uint64_t link_frames_tx = 0;
  uint64_t link_bytes_rx = 0;
  uint64_t link_bytes_tx = 0;

  // IP / ICMP.
  uint64_t ipv4_packets_rx = 0;
  uint64_t ipv4_packets_tx = 0;
  uint64_t ipv4_fragments_reassembled = 0;
  uint64_t icmp_echo_replies_tx = 0;
  uint64_t icmp_errors_rx = 0;
  uint64_t icmp_errors_tx = 0;
  uint64_t arp_requests_tx = 0;
  uint64_t arp_replies_tx = 0;

  // TCP (names mirror Linux's /proc/net/snmp and netstat where one exists).
  uint64_t tcp_active_opens = 0;             // Tcp_ActiveOpens
  uint64_t tcp_passive_opens = 0;            // Tcp_PassiveOpens
  uint64_t tcp_segments_rx = 0;              // Tcp_InSegs
  uint64_t tcp_segments_tx = 0;              // Tcp_OutSegs
  uint64_t tcp_bytes_rx = 0;                 // payload bytes accepted in sequence
  uint64_t tcp_bytes_tx = 0;                 // payload bytes sent, retransmissions included
  uint64_t tcp_resets_rx = 0;                // TcpExt... Tcp_EstabResets covers part of it
  uint64_t tcp_resets_tx = 0;                // Tcp_OutRsts
  uint64_t tcp_rto_timeouts = 0;             // TcpExt_TCPTimeouts
  uint64_t tcp_fast_recoveries = 0;          // TcpExt_TCPRenoRecovery / TCPSackRecovery
  uint64_t tcp_spurious_rtos = 0;            // TcpExt_TCPSpuriousRTOs (RFC 3522 detection)
  uint64_t tcp_challenge_acks = 0;           // TcpExt_TCPChallengeACK
  uint64_t tcp_zero_window_probes = 0;       // TcpExt_TCPWinProbe
  uint64_t tcp_keepalive_probes = 0;         // TcpExt_TCPKeepAlive
  uint64_t tcp_syn_cookies_or_overflow = 0;  // TcpExt_ListenOverflows
  std::array<uint64_t, static_cast<size_t>(RetransmitKind::kCount)> tcp_retransmits{};
  std::array<uint64_t, static_cast<size_t>(CloseReason::kCount)> tcp_closes{};
  RttHistogram tcp_rtt;

  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> drops{};

  void Drop(DropReason r) { ++drops[static_cast<size_t>(r)]; }
  uint64_t dropped(DropReason r) const { return drops[static_cast<size_t>(r)]; }
  uint64_t TotalDrops() const;
};

}  // namespace tcpaas

#endif  // TCPAAS_STACK_BASE_COUNTERS_H_
