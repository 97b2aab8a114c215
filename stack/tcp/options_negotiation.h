// What a connection offers in its SYN or SYN-ACK and what both sides agree on: MSS
// (RFC 9293 §3.7.1), window scale (RFC 7323 §2), timestamps (RFC 7323 §3) and
// SACK-permitted (RFC 2018 §2).
//
// Two sizes are kept apart on purpose:
//  - the MSS: the largest payload of a segment without TCP options, as announced in SYNs;
//  - the segment size: the payload we actually put in a segment, i.e. the MSS less the
//    option bytes every segment carries (12 with timestamps).
#ifndef TCPAAS_STACK_TCP_OPTIONS_NEGOTIATION_H_
#define TCPAAS_STACK_TCP_OPTIONS_NEGOTIATION_H_

#include <cstddef>
#include <cstdint>

#include "stack/tcp/types.h"
#include "stack/wire/tcp.h"

namespace tcpaas::tcp {

// RFC 9293 §3.7.1: the MSS assumed when the peer's SYN carries none.
inline constexpr uint16_t kDefaultSendMss = 536;
// The smallest MSS we agree to use, whatever the peer announces, so that a segment always
// has room for data after 40 bytes of options (Linux has a similar floor, tcp_min_snd_mss).
inline constexpr uint16_t kMinSendMss = 64;
// RFC 7323 §2.3: the largest shift count.
inline constexpr uint8_t kMaxWindowShift = 14;
// Bytes of the timestamps option as we lay it out in every segment (nop, nop, TS).
inline constexpr size_t kTimestampOptionBytes = 12;

// The MSS we announce: what fits in one IPv4 datagram to the peer without a TCP option,
// lowered to `clamp` when that is set (RFC 9293 §3.7.1, RFC 6691).
uint16_t LocalMss(size_t max_ip_payload, uint16_t clamp);

// RFC 7323 §2.3: the smallest shift such that `buffer_bytes` fits in 65535 << shift.
uint8_t ReceiveWindowShift(size_t buffer_bytes);

// What the options of our SYN or SYN-ACK carry (besides the timestamp values).
struct SynOffer {
  uint16_t mss = 0;
  bool window_scale = false;
  uint8_t window_shift = 0;  // our receive shift, sent only if window_scale
  bool timestamps = false;
  bool sack_permitted = false;
};

// Our offer for an active open: everything the options allow.
SynOffer ActiveOffer(const ConnectionOptions& options, uint16_t local_mss, uint8_t shift);
// Our answer to a SYN: RFC 7323 §2.2 and §3.2, RFC 2018 §2 allow an option in the SYN-ACK
// only if the SYN carried it.
SynOffer PassiveOffer(const ConnectionOptions& options, uint16_t local_mss, uint8_t shift,
                      const wire::TcpOptions& syn);

// The wire options of a SYN or SYN-ACK for `offer`.
wire::TcpOptions SynOptions(const SynOffer& offer, uint32_t ts_val, uint32_t ts_ecr);

// What both sides agreed on, from our offer and the peer's SYN (or SYN-ACK).
struct Negotiated {
  uint16_t peer_mss = kDefaultSendMss;  // the peer's MSS option, or 536
  bool window_scale = false;
  uint8_t snd_shift = 0;  // applied to windows the peer sends, clamped to 14
  uint8_t rcv_shift = 0;  // applied to windows we send
  bool timestamps = false;
  bool sack = false;
};
Negotiated Negotiate(const SynOffer& ours, const wire::TcpOptions& peer);

// RFC 9293 §3.7.1: the MSS we send with, min(peer's MSS, what the path carries, clamp),
// never below kMinSendMss.
uint16_t SendMss(uint16_t peer_mss, size_t max_ip_payload, uint16_t clamp);

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_OPTIONS_NEGOTIATION_H_
