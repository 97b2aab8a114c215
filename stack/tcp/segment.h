// A received TCP segment as the state machine sees it: the header fields, the parsed options
// and the payload, after the checks every segment must pass before it reaches a connection
// (length, checksum, options). The payload points into the caller's packet and is valid only
// while that packet is being processed.
#ifndef TCPAAS_STACK_TCP_SEGMENT_H_
#define TCPAAS_STACK_TCP_SEGMENT_H_

#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "stack/base/counters.h"
#include "stack/ip/transport.h"
#include "stack/wire/addr.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace tcpaas::tcp {

struct Segment {
  // The connection this segment belongs to, from our side: local = its destination.
  FourTuple tuple;
  SeqNum seq;
  SeqNum ack;
  uint8_t flags = 0;
  uint16_t window = 0;  // as on the wire, before scaling
  wire::TcpOptions options;
  absl::Span<const uint8_t> payload;

  bool syn() const { return (flags & wire::tcp_flags::kSyn) != 0; }
  bool fin() const { return (flags & wire::tcp_flags::kFin) != 0; }
  bool rst() const { return (flags & wire::tcp_flags::kRst) != 0; }
  bool has_ack() const { return (flags & wire::tcp_flags::kAck) != 0; }
  // SEG.LEN (RFC 9293 §3.4): payload octets plus one for each of SYN and FIN.
  uint32_t len() const {
    return static_cast<uint32_t>(payload.size()) + (syn() ? 1 : 0) + (fin() ? 1 : 0);
  }
  // The sequence number just past the segment (SEG.SEQ + SEG.LEN).
  SeqNum end() const { return seq + len(); }
};

// Result of ParseSegment: a segment, or the reason it was dropped.
struct ParsedSegment {
  std::optional<Segment> segment;
  DropReason drop_reason = DropReason::kTcpMalformed;
};

// Validates and parses one segment addressed to us: header length and data offset
// (kTcpMalformed), checksum over the pseudo-header (kTcpBadChecksum), options
// (kTcpBadOptions).
ParsedSegment ParseSegment(const ip::Ipv4PacketInfo& info, absl::Span<const uint8_t> bytes);

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_SEGMENT_H_
