#include "stack/ip/icmp_error.h"

#include <algorithm>

#include "stack/wire/endian.h"
#include "stack/wire/icmp.h"
#include "stack/wire/ipv4.h"

namespace tcpaas::ip {
namespace {

constexpr uint8_t kIcmpSourceQuench = 4;
constexpr uint8_t kIcmpRedirect = 5;
// RFC 1122 §3.2.2.1 and RFC 1812 §5.2.7.1: further unreachable codes.
constexpr uint8_t kCodeNetUnknown = 6;
constexpr uint8_t kCodeHostUnknown = 7;
constexpr uint8_t kCodeNetProhibited = 9;
constexpr uint8_t kCodeHostProhibited = 10;
constexpr uint8_t kCodeNetUnreachableForTos = 11;
constexpr uint8_t kCodeHostUnreachableForTos = 12;

constexpr size_t kQuotedTransportMin = 8;  // RFC 792: "the first 64 bits"

}  // namespace

bool IsIcmpErrorType(uint8_t type) {
  return type == wire::kIcmpDestUnreachable || type == kIcmpSourceQuench || type == kIcmpRedirect ||
         type == wire::kIcmpTimeExceeded || type == wire::kIcmpParameterProblem;
}

IcmpErrorKind ClassifyIcmpError(uint8_t type, uint8_t code) {
  switch (type) {
    case wire::kIcmpTimeExceeded:
      return IcmpErrorKind::kTimeExceeded;
    case wire::kIcmpParameterProblem:
      return IcmpErrorKind::kParameterProblem;
    case wire::kIcmpDestUnreachable:
      break;
    default:
      return IcmpErrorKind::kOther;
  }
  switch (code) {
    case wire::kIcmpCodeNetUnreachable:
    case kCodeNetUnknown:
    case kCodeNetUnreachableForTos:
      return IcmpErrorKind::kNetUnreachable;
    case wire::kIcmpCodeHostUnreachable:
    case kCodeHostUnknown:
    case kCodeHostUnreachableForTos:
      return IcmpErrorKind::kHostUnreachable;
    case wire::kIcmpCodeProtocolUnreachable:
      return IcmpErrorKind::kProtocolUnreachable;
    case wire::kIcmpCodePortUnreachable:
      return IcmpErrorKind::kPortUnreachable;
    case wire::kIcmpCodeFragmentationNeeded:
      return IcmpErrorKind::kFragmentationNeeded;
    case kCodeNetProhibited:
    case kCodeHostProhibited:
    case wire::kIcmpCodeAdminProhibited:
      return IcmpErrorKind::kAdminProhibited;
    default:
      return IcmpErrorKind::kOther;
  }
}

std::optional<QuotedDatagram> ParseQuotedDatagram(absl::Span<const uint8_t> body) {
  if (body.size() < wire::kIpv4MinHeaderSize) return std::nullopt;
  if ((body[0] >> 4) != 4) return std::nullopt;
  const size_t header_length = static_cast<size_t>(body[0] & 0x0f) * 4;
  if (header_length < wire::kIpv4MinHeaderSize) return std::nullopt;
  if (body.size() < header_length + kQuotedTransportMin) return std::nullopt;
  const uint16_t total_length = wire::Load16(body.data() + 2);
  if (total_length < header_length + kQuotedTransportMin) return std::nullopt;
  const uint16_t fragment_offset = wire::Load16(body.data() + 6) & 0x1fff;
  if (fragment_offset != 0) return std::nullopt;

  QuotedDatagram quoted;
  quoted.total_length = total_length;
  quoted.protocol = body[9];
  quoted.src = Ipv4Address(wire::Load32(body.data() + 12));
  quoted.dst = Ipv4Address(wire::Load32(body.data() + 16));
  // Bytes past the original datagram's end are not part of it (some routers pad).
  const size_t quoted_transport =
      std::min(body.size() - header_length, size_t{total_length} - header_length);
  quoted.transport = body.subspan(header_length, quoted_transport);
  return quoted;
}

}  // namespace tcpaas::ip
