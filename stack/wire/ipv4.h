// IPv4 headers (RFC 791).
#ifndef TCPAAS_STACK_WIRE_IPV4_H_
#define TCPAAS_STACK_WIRE_IPV4_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "stack/wire/addr.h"

namespace tcpaas::wire {

inline constexpr size_t kIpv4MinHeaderSize = 20;
inline constexpr size_t kIpv4MaxHeaderSize = 60;

// A checked view of one IPv4 datagram. Parse() guarantees: version 4, IHL >= 5, the header
// fits, and total length covers the header and fits in the buffer. Bytes past the total
// length (Ethernet padding) are excluded from the view. The checksum is NOT checked by
// Parse(); call checksum_ok().
class Ipv4View {
 public:
  static std::optional<Ipv4View> Parse(absl::Span<const uint8_t> bytes);

  size_t header_length() const;
  size_t total_length() const { return bytes_.size(); }
  uint8_t tos() const;
  uint16_t id() const;
  bool dont_fragment() const;
  bool more_fragments() const;
  size_t fragment_offset() const;  // in bytes
  bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
  uint8_t ttl() const;
  uint8_t protocol() const;
  Ipv4Address src() const;
  Ipv4Address dst() const;
  bool checksum_ok() const;
  absl::Span<const uint8_t> header() const { return bytes_.first(header_length()); }
  absl::Span<const uint8_t> payload() const { return bytes_.subspan(header_length()); }
  absl::Span<const uint8_t> bytes() const { return bytes_; }

 private:
  explicit Ipv4View(absl::Span<const uint8_t> b) : bytes_(b) {}
  absl::Span<const uint8_t> bytes_;
};

// The value of an option-less IPv4 header, for building datagrams.
struct Ipv4Header {
  uint8_t tos = 0;
  uint16_t total_length = 0;  // header + payload
  uint16_t id = 0;
  bool dont_fragment = true;
  bool more_fragments = false;
  uint16_t fragment_offset = 0;  // in bytes, a multiple of 8
  uint8_t ttl = 64;
  uint8_t protocol = 0;
  Ipv4Address src;
  Ipv4Address dst;

  // Writes kIpv4MinHeaderSize bytes at p, checksum included.
  void WriteTo(uint8_t* p) const;
};

}  // namespace tcpaas::wire

#endif  // TCPAAS_STACK_WIRE_IPV4_H_
