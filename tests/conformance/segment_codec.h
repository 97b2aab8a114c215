// TCP segments as the runner injects and observes them. Injected segments carry the
// script's options byte for byte in the script's order (which Linux-layout builders in
// stack/wire cannot express); observed segments keep their options as a list, NOPs included,
// because packetdrill compares option kinds in order.
#ifndef TCPAAS_TESTS_CONFORMANCE_SEGMENT_CODEC_H_
#define TCPAAS_TESTS_CONFORMANCE_SEGMENT_CODEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"
#include "tests/conformance/inbound_damage.h"
#include "tests/conformance/script.h"

namespace tcpaas::conformance {

struct RawOption {
  uint8_t kind = 0;
  std::vector<uint8_t> data;  // the bytes after kind and length
  bool operator==(const RawOption&) const = default;
};

// Script flags ("S.", "FP.", "", "SEW") as header bits: byte 13, plus the AE bit ('A') that
// lives in byte 12. Unknown letters were rejected by the parser.
struct FlagBits {
  uint8_t flags = 0;
  bool ae = false;
};
FlagBits ParseFlags(const std::string& letters);
// Back to packetdrill's letters, in packetdrill's order ("S.", "F.", "P.", "R.", ".").
std::string FlagsToLetters(uint8_t flags, bool ae);

// The script's options in order. Errors: more than 40 bytes, or not a multiple of 4.
absl::StatusOr<std::vector<uint8_t>> EncodeOptions(const std::vector<TcpOptionSpec>& options);
// Options of a header, in order. Errors when a length byte is missing, < 2 or overruns.
absl::StatusOr<std::vector<RawOption>> DecodeOptions(absl::Span<const uint8_t> bytes);
// "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7" (packetdrill's syntax).
std::string FormatOptions(const std::vector<RawOption>& options);

struct SegmentFields {
  Port src_port;
  Port dst_port;
  uint32_t seq = 0;
  uint32_t ack = 0;
  FlagBits flags;
  uint16_t window = 0;
  uint16_t urgent = 0;
  std::vector<uint8_t> options;  // encoded, a multiple of 4 bytes
  uint32_t payload_len = 0;      // zero bytes, as packetdrill sends
  InboundDamage damage;          // "bad_csum", "doff N": applied after the checksum
};
// The segment's bytes with a correct checksum over the pseudo-header, then `s.damage`.
std::vector<uint8_t> BuildSegment(const SegmentFields& s, Ipv4Address src, Ipv4Address dst);

struct ObservedSegment {
  Instant at;
  Ipv4Address src;
  Ipv4Address dst;
  Port src_port;
  Port dst_port;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  bool ae = false;
  uint8_t reserved = 0;  // the three reserved bits of byte 12
  uint16_t window = 0;
  uint16_t urgent = 0;
  size_t header_length = 0;
  std::vector<RawOption> options;
  std::vector<uint8_t> payload;
  bool checksum_ok = false;

  // "S. 0:0(0) ack 1 win 65535 <mss 1460,...>" with raw (live) numbers.
  std::string ToString() const;
};
absl::StatusOr<ObservedSegment> ParseSegment(absl::Span<const uint8_t> bytes, Ipv4Address src,
                                             Ipv4Address dst, Instant at);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_SEGMENT_CODEC_H_
