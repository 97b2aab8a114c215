// The internet checksum (RFC 1071), incrementally, plus the TCP/UDP pseudo-header.
#ifndef TCPAAS_STACK_WIRE_CHECKSUM_H_
#define TCPAAS_STACK_WIRE_CHECKSUM_H_

#include <cstdint>

#include "absl/types/span.h"
#include "stack/wire/addr.h"

namespace tcpaas::wire {

class ChecksumAccumulator {
 public:
  // Adds bytes. Spans may have odd lengths: a trailing odd byte is carried into the next
  // Add() call, so adding [a, b) then [b, c) equals adding [a, c).
  void Add(absl::Span<const uint8_t> bytes);
  void Add16(uint16_t v);
  void Add32(uint32_t v);
  // RFC 9293 §3.1: source, destination, zero, protocol, length.
  void AddPseudoHeader(Ipv4Address src, Ipv4Address dst, uint8_t protocol, uint16_t length);
  // The one's complement of the one's-complement sum, ready to store (network order value).
  uint16_t Finish() const;

 private:
  uint64_t sum_ = 0;
  bool odd_ = false;  // an odd byte is pending in the low byte position
};

uint16_t InternetChecksum(absl::Span<const uint8_t> bytes);

}  // namespace tcpaas::wire

#endif  // TCPAAS_STACK_WIRE_CHECKSUM_H_
