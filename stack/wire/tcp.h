// TCP headers and options (RFC 9293 §3.1; options: MSS RFC 9293 §3.2, window scale and
// timestamps RFC 7323, SACK RFC 2018).
#ifndef TCPAAS_STACK_WIRE_TCP_H_
#define TCPAAS_STACK_WIRE_TCP_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/types/span.h"
#include "stack/wire/addr.h"
#include "stack/wire/seq.h"

namespace tcpaas::wire {

inline constexpr size_t kTcpMinHeaderSize = 20;
inline constexpr size_t kTcpMaxHeaderSize = 60;
inline constexpr size_t kTcpMaxOptionsSize = 40;
inline constexpr size_t kTcpMaxSackBlocks = 4;

namespace tcp_flags {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
inline constexpr uint8_t kUrg = 0x20;
inline constexpr uint8_t kEce = 0x40;
inline constexpr uint8_t kCwr = 0x80;
}  // namespace tcp_flags

// "S.", "F.", "P.", "R", ... in tcpdump's notation; for logs and test failure messages.
std::string TcpFlagsToString(uint8_t flags);

// Option kinds.
inline constexpr uint8_t kTcpOptEol = 0;
inline constexpr uint8_t kTcpOptNop = 1;
inline constexpr uint8_t kTcpOptMss = 2;
inline constexpr uint8_t kTcpOptWindowScale = 3;
inline constexpr uint8_t kTcpOptSackPermitted = 4;
inline constexpr uint8_t kTcpOptSack = 5;
inline constexpr uint8_t kTcpOptTimestamps = 8;

struct SackBlock {
  SeqNum left;   // first sequence number of the block
  SeqNum right;  // sequence number just past the block
  constexpr bool operator==(const SackBlock&) const = default;
};

struct TcpTimestamps {
  uint32_t val = 0;  // TSval
  uint32_t ecr = 0;  // TSecr
  constexpr bool operator==(const TcpTimestamps&) const = default;
};

// The options of one segment, parsed or to be written.
struct TcpOptions {
  std::optional<uint16_t> mss;
  std::optional<uint8_t> window_scale;  // shift count as sent (a receiver clamps it to 14)
  bool sack_permitted = false;
  std::optional<TcpTimestamps> timestamps;
  std::array<SackBlock, kTcpMaxSackBlocks> sack_blocks{};
  uint8_t sack_count = 0;

  void AddSackBlock(SackBlock b) {
    if (sack_count < kTcpMaxSackBlocks) sack_blocks[sack_count++] = b;
  }

  // Bytes WriteTo() will produce: a multiple of 4, at most kTcpMaxOptionsSize. SACK blocks
  // beyond what fits after the other options are left out.
  size_t EncodedSize() const;
  // Writes the options at p in the layout Linux uses, so packetdrill scripts match:
  //   SYN with TS:     mss, sackOK, TS, nop, wscale        (MSS 4 + 12 + 4 = 20 bytes)
  //   SYN without TS:  mss, nop, nop, sackOK, nop, wscale
  //   other segments:  nop, nop, TS   then   nop, nop, sack blocks
  // Absent options are left out with their padding. Returns EncodedSize().
  size_t WriteTo(uint8_t* p) const;

  bool operator==(const TcpOptions& o) const;
};

// Parses the option bytes of a header (RFC 9293 §3.1: NOP and EOL are single bytes, every
// other kind has a length byte >= 2 that must fit). Unknown kinds are skipped by their
// length. An option of a known kind with a wrong length is ignored, as Linux does. Returns
// false when the options are malformed (a length byte missing, < 2, or overrunning).
bool ParseTcpOptions(absl::Span<const uint8_t> bytes, TcpOptions* out);

// A checked view of one TCP segment. Parse() guarantees at least 20 bytes, data offset >= 5
// and options within the segment. Checksum and options are checked separately.
class TcpHeaderView {
 public:
  static std::optional<TcpHeaderView> Parse(absl::Span<const uint8_t> segment);

  Port src_port() const;
  Port dst_port() const;
  SeqNum seq() const;
  SeqNum ack() const;
  size_t header_length() const;  // data offset * 4
  uint8_t flags() const;
  bool has(uint8_t flag) const { return (flags() & flag) != 0; }
  uint16_t window() const;       // as on the wire, before scaling
  uint16_t checksum() const;
  uint16_t urgent_pointer() const;
  absl::Span<const uint8_t> options() const;
  absl::Span<const uint8_t> payload() const { return bytes_.subspan(header_length()); }
  absl::Span<const uint8_t> bytes() const { return bytes_; }

 private:
  explicit TcpHeaderView(absl::Span<const uint8_t> b) : bytes_(b) {}
  absl::Span<const uint8_t> bytes_;
};

// True when the checksum over the pseudo-header and `segment` is correct.
bool TcpChecksumOk(Ipv4Address src, Ipv4Address dst, absl::Span<const uint8_t> segment);
// Computes and stores the checksum of a complete segment (header + payload).
void FillTcpChecksum(Ipv4Address src, Ipv4Address dst, absl::Span<uint8_t> segment);

// The value of a TCP header, for building segments.
struct TcpHeader {
  Port src_port;
  Port dst_port;
  SeqNum seq;
  SeqNum ack;
  uint8_t flags = 0;
  uint16_t window = 0;
  uint16_t urgent_pointer = 0;
  TcpOptions options;

  size_t size() const { return kTcpMinHeaderSize + options.EncodedSize(); }
  // Writes size() bytes at p with a zero checksum. Returns size().
  size_t WriteTo(uint8_t* p) const;
  // Reads a header back from a view (options that fail to parse are left empty).
  static TcpHeader FromView(const TcpHeaderView& v);
};

}  // namespace tcpaas::wire

#endif  // TCPAAS_STACK_WIRE_TCP_H_
