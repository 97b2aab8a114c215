#include "stack/wire/tcp.h"

#include <algorithm>

#include "stack/wire/checksum.h"
#include "stack/wire/endian.h"

namespace tcpaas::wire {
namespace {

constexpr uint8_t kIpProtocolTcp = 6;

// Option lengths (RFC 9293 §3.2, RFC 7323 §2.2 and §3.2, RFC 2018 §2 and §3).
constexpr uint8_t kMssLength = 4;
constexpr uint8_t kWindowScaleLength = 3;
constexpr uint8_t kSackPermittedLength = 2;
constexpr uint8_t kTimestampsLength = 10;
constexpr uint8_t kSackBaseLength = 2;
constexpr uint8_t kSackBlockLength = 8;

// Bytes of the options other than SACK blocks, each padded to 32 bits as Linux pads them.
size_t FixedOptionsSize(const TcpOptions& o) {
  size_t n = 0;
  if (o.mss) n += 4;
  if (o.timestamps) n += 12;                      // [sackOK | nop nop] TS
  if (o.sack_permitted && !o.timestamps) n += 4;  // nop nop sackOK
  if (o.window_scale) n += 4;                     // nop wscale
  return n;
}

// How many SACK blocks fit after `fixed` bytes of other options (nop nop kind len, 8 each).
size_t SackBlocksThatFit(const TcpOptions& o, size_t fixed) {
  if (o.sack_count == 0) return 0;
  const size_t room = kTcpMaxOptionsSize - fixed;
  if (room < 4 + kSackBlockLength) return 0;
  return std::min<size_t>(o.sack_count, (room - 4) / kSackBlockLength);
}

}  // namespace

std::string TcpFlagsToString(uint8_t flags) {
  // tcpdump's letters in tcpdump's order, e.g. "S." for SYN-ACK, "FP." for FIN-PSH-ACK.
  static constexpr struct {
    uint8_t bit;
    char letter;
  } kLetters[] = {
      {tcp_flags::kFin, 'F'}, {tcp_flags::kSyn, 'S'}, {tcp_flags::kRst, 'R'},
      {tcp_flags::kPsh, 'P'}, {tcp_flags::kAck, '.'}, {tcp_flags::kUrg, 'U'},
      {tcp_flags::kEce, 'E'}, {tcp_flags::kCwr, 'W'},
  };
  std::string s;
  for (const auto& l : kLetters) {
    if ((flags & l.bit) != 0) s.push_back(l.letter);
  }
  if (s.empty()) s = "none";
  return s;
}

size_t TcpOptions::EncodedSize() const {
  const size_t fixed = FixedOptionsSize(*this);
  const size_t blocks = SackBlocksThatFit(*this, fixed);
  return fixed + (blocks == 0 ? 0 : 4 + blocks * kSackBlockLength);
}

// The order and padding of Linux's tcp_options_write(), so that packetdrill scripts recorded
// on Linux match byte for byte:
//   02 04 MSS                                  if mss
//   04 02 08 0a TSval TSecr                    if timestamps and sack_permitted
//   01 01 08 0a TSval TSecr                    if timestamps without sack_permitted
//   01 01 04 02                                if sack_permitted without timestamps
//   01 03 03 WS                                if window_scale
//   01 01 05 LEN left right ...                if SACK blocks (as many as fit in 40 bytes)
size_t TcpOptions::WriteTo(uint8_t* p) const {
  uint8_t* const start = p;
  if (mss) {
    p[0] = kTcpOptMss;
    p[1] = kMssLength;
    Store16(p + 2, *mss);
    p += 4;
  }
  if (timestamps) {
    if (sack_permitted) {
      p[0] = kTcpOptSackPermitted;
      p[1] = kSackPermittedLength;
    } else {
      p[0] = kTcpOptNop;
      p[1] = kTcpOptNop;
    }
    p[2] = kTcpOptTimestamps;
    p[3] = kTimestampsLength;
    Store32(p + 4, timestamps->val);
    Store32(p + 8, timestamps->ecr);
    p += 12;
  } else if (sack_permitted) {
    p[0] = kTcpOptNop;
    p[1] = kTcpOptNop;
    p[2] = kTcpOptSackPermitted;
    p[3] = kSackPermittedLength;
    p += 4;
  }
  if (window_scale) {
    p[0] = kTcpOptNop;
    p[1] = kTcpOptWindowScale;
    p[2] = kWindowScaleLength;
    p[3] = *window_scale;
    p += 4;
  }
  // RFC 2018 §3: blocks that do not fit are left out; the first ones are the most recent.
  const size_t blocks = SackBlocksThatFit(*this, static_cast<size_t>(p - start));
  if (blocks > 0) {
    p[0] = kTcpOptNop;
    p[1] = kTcpOptNop;
    p[2] = kTcpOptSack;
    p[3] = static_cast<uint8_t>(kSackBaseLength + blocks * kSackBlockLength);
    p += 4;
    for (size_t i = 0; i < blocks; ++i) {
      Store32(p, sack_blocks[i].left.raw());
      Store32(p + 4, sack_blocks[i].right.raw());
      p += kSackBlockLength;
    }
  }
  return static_cast<size_t>(p - start);
}

bool TcpOptions::operator==(const TcpOptions& o) const {
  if (mss != o.mss || window_scale != o.window_scale || sack_permitted != o.sack_permitted ||
      timestamps != o.timestamps || sack_count != o.sack_count) {
    return false;
  }
  return std::equal(sack_blocks.begin(), sack_blocks.begin() + sack_count, o.sack_blocks.begin());
}

// RFC 9293 §3.1 (Options) and §3.2; the treatment of odd lengths follows Linux's
// tcp_parse_options(): a known kind with the wrong length is skipped, not fatal.
bool ParseTcpOptions(absl::Span<const uint8_t> bytes, TcpOptions* out) {
  TcpOptions o;
  size_t i = 0;
  while (i < bytes.size()) {
    const uint8_t kind = bytes[i];
    if (kind == kTcpOptEol) break;  // the rest is padding
    if (kind == kTcpOptNop) {
      ++i;
      continue;
    }
    if (bytes.size() - i < 2) {  // the length byte is missing
      *out = TcpOptions();
      return false;
    }
    const size_t len = bytes[i + 1];
    if (len < 2 || len > bytes.size() - i) {
      *out = TcpOptions();
      return false;
    }
    const uint8_t* v = bytes.data() + i + 2;
    switch (kind) {
      case kTcpOptMss:
        if (len == kMssLength) o.mss = Load16(v);
        break;
      case kTcpOptWindowScale:
        // Kept as sent; the receiver clamps it to 14 (RFC 7323 §2.3).
        if (len == kWindowScaleLength) o.window_scale = v[0];
        break;
      case kTcpOptSackPermitted:
        if (len == kSackPermittedLength) o.sack_permitted = true;
        break;
      case kTcpOptTimestamps:
        if (len == kTimestampsLength) o.timestamps = TcpTimestamps{Load32(v), Load32(v + 4)};
        break;
      case kTcpOptSack: {
        // RFC 2018 §3: 2 + 8n bytes, n from 1 to 4; anything else is ignored.
        const size_t body = len - kSackBaseLength;
        const size_t n = body / kSackBlockLength;
        if (body % kSackBlockLength != 0 || n < 1 || n > kTcpMaxSackBlocks) break;
        o.sack_count = 0;
        for (size_t b = 0; b < n; ++b) {
          const uint8_t* blk = v + b * kSackBlockLength;
          o.AddSackBlock(SackBlock{SeqNum(Load32(blk)), SeqNum(Load32(blk + 4))});
        }
        break;
      }
      default:
        break;  // unknown kinds are skipped by their length
    }
    i += len;
  }
  *out = o;
  return true;
}

// RFC 9293 §3.1: data offset in 32-bit words, at least 5, and the header fits.
std::optional<TcpHeaderView> TcpHeaderView::Parse(absl::Span<const uint8_t> segment) {
  if (segment.size() < kTcpMinHeaderSize) return std::nullopt;
  const size_t header_length = static_cast<size_t>(segment[12] >> 4) * 4;
  if (header_length < kTcpMinHeaderSize || header_length > segment.size()) return std::nullopt;
  return TcpHeaderView(segment);
}

Port TcpHeaderView::src_port() const { return Port(Load16(bytes_.data())); }
Port TcpHeaderView::dst_port() const { return Port(Load16(bytes_.data() + 2)); }
SeqNum TcpHeaderView::seq() const { return SeqNum(Load32(bytes_.data() + 4)); }
SeqNum TcpHeaderView::ack() const { return SeqNum(Load32(bytes_.data() + 8)); }
size_t TcpHeaderView::header_length() const { return static_cast<size_t>(bytes_[12] >> 4) * 4; }
uint8_t TcpHeaderView::flags() const { return bytes_[13]; }
uint16_t TcpHeaderView::window() const { return Load16(bytes_.data() + 14); }
uint16_t TcpHeaderView::checksum() const { return Load16(bytes_.data() + 16); }
uint16_t TcpHeaderView::urgent_pointer() const { return Load16(bytes_.data() + 18); }
absl::Span<const uint8_t> TcpHeaderView::options() const {
  return bytes_.subspan(kTcpMinHeaderSize, header_length() - kTcpMinHeaderSize);
}

// RFC 9293 §3.1: the checksum covers the pseudo-header, the header and the data.
bool TcpChecksumOk(Ipv4Address src, Ipv4Address dst, absl::Span<const uint8_t> segment) {
  if (segment.size() > 0xffff) return false;  // no IPv4 datagram carries this much
  ChecksumAccumulator acc;
  acc.AddPseudoHeader(src, dst, kIpProtocolTcp, static_cast<uint16_t>(segment.size()));
  acc.Add(segment);
  return acc.Finish() == 0;
}

void FillTcpChecksum(Ipv4Address src, Ipv4Address dst, absl::Span<uint8_t> segment) {
  if (segment.size() < kTcpMinHeaderSize) return;
  Store16(segment.data() + 16, 0);
  ChecksumAccumulator acc;
  acc.AddPseudoHeader(src, dst, kIpProtocolTcp, static_cast<uint16_t>(segment.size()));
  acc.Add(segment);
  Store16(segment.data() + 16, acc.Finish());
}

size_t TcpHeader::WriteTo(uint8_t* p) const {
  Store16(p, src_port.value());
  Store16(p + 2, dst_port.value());
  Store32(p + 4, seq.raw());
  Store32(p + 8, ack.raw());
  const size_t n = kTcpMinHeaderSize + options.WriteTo(p + kTcpMinHeaderSize);
  p[12] = static_cast<uint8_t>((n / 4) << 4);
  p[13] = flags;
  Store16(p + 14, window);
  Store16(p + 16, 0);
  Store16(p + 18, urgent_pointer);
  return n;
}

TcpHeader TcpHeader::FromView(const TcpHeaderView& v) {
  TcpHeader h;
  h.src_port = v.src_port();
  h.dst_port = v.dst_port();
  h.seq = v.seq();
  h.ack = v.ack();
  h.flags = v.flags();
  h.window = v.window();
  h.urgent_pointer = v.urgent_pointer();
  ParseTcpOptions(v.options(), &h.options);  // left empty when malformed
  return h;
}

}  // namespace tcpaas::wire
