// Reading ICMP error messages (RFC 792, RFC 1122 §3.2.2): which kind of error a type and code
// are, and the datagram of ours that the message quotes.
#ifndef TCPAAS_STACK_IP_ICMP_ERROR_H_
#define TCPAAS_STACK_IP_ICMP_ERROR_H_

#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "stack/ip/transport.h"
#include "stack/wire/addr.h"

namespace tcpaas::ip {

// True for the ICMP types that report errors (destination unreachable, source quench,
// redirect, time exceeded, parameter problem): RFC 1122 §3.2.2 forbids answering them with
// another error.
bool IsIcmpErrorType(uint8_t type);

// The transport-facing kind of an error message. Only called for types 3, 11 and 12.
IcmpErrorKind ClassifyIcmpError(uint8_t type, uint8_t code);

// The datagram an ICMP error quotes: "the internet header plus the first 64 bits of the
// original datagram's data" (RFC 792), often more.
struct QuotedDatagram {
  Ipv4Address src;
  Ipv4Address dst;
  uint8_t protocol = 0;
  uint16_t total_length = 0;            // as the original header said, not as much as was quoted
  absl::Span<const uint8_t> transport;  // at least 8 bytes
};

// Reads the quote in an error message's body. The quote is truncated by design, so the
// checked Ipv4View (which needs the whole datagram) does not apply; this checks bounds the
// same way: version 4, a complete header, and at least 8 bytes of the payload of a first
// fragment (a later fragment quotes no transport header). nullopt otherwise.
std::optional<QuotedDatagram> ParseQuotedDatagram(absl::Span<const uint8_t> body);

}  // namespace tcpaas::ip

#endif  // TCPAAS_STACK_IP_ICMP_ERROR_H_
