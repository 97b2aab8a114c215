// ICMPv4 (RFC 792, RFC 1191 for fragmentation-needed).
#ifndef TCPAAS_STACK_WIRE_ICMP_H_
#define TCPAAS_STACK_WIRE_ICMP_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"

namespace tcpaas::wire {

inline constexpr size_t kIcmpHeaderSize = 8;
inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpDestUnreachable = 3;
inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr uint8_t kIcmpTimeExceeded = 11;
inline constexpr uint8_t kIcmpParameterProblem = 12;
// Destination-unreachable codes.
inline constexpr uint8_t kIcmpCodeNetUnreachable = 0;
inline constexpr uint8_t kIcmpCodeHostUnreachable = 1;
inline constexpr uint8_t kIcmpCodeProtocolUnreachable = 2;
inline constexpr uint8_t kIcmpCodePortUnreachable = 3;
inline constexpr uint8_t kIcmpCodeFragmentationNeeded = 4;
inline constexpr uint8_t kIcmpCodeAdminProhibited = 13;

// A checked view of one ICMP message (at least the 8-byte header).
class IcmpView {
 public:
  static std::optional<IcmpView> Parse(absl::Span<const uint8_t> bytes);

  uint8_t type() const;
  uint8_t code() const;
  bool checksum_ok() const;
  uint16_t echo_id() const;       // echo request/reply
  uint16_t echo_seq() const;
  uint16_t next_hop_mtu() const;  // destination unreachable, code 4 (RFC 1191 §4)
  // Everything after the 8-byte header: echo payload, or the quoted datagram of an error.
  absl::Span<const uint8_t> body() const { return bytes_.subspan(kIcmpHeaderSize); }
  absl::Span<const uint8_t> bytes() const { return bytes_; }

 private:
  explicit IcmpView(absl::Span<const uint8_t> b) : bytes_(b) {}
  absl::Span<const uint8_t> bytes_;
};

// Writes an ICMP message at p: the 8-byte header (type, code, checksum, and `rest`, the
// header's second word: id/seq for echo, next-hop MTU for fragmentation-needed) followed by
// `body`, and fills the checksum. Returns the bytes written (8 + body.size()).
size_t WriteIcmp(uint8_t* p, uint8_t type, uint8_t code, uint32_t rest,
                 absl::Span<const uint8_t> body);

}  // namespace tcpaas::wire

#endif  // TCPAAS_STACK_WIRE_ICMP_H_
