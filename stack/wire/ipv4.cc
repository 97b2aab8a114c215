#include "stack/wire/ipv4.h"

#include "stack/wire/checksum.h"
#include "stack/wire/endian.h"

namespace tcpaas::wire {
namespace {

constexpr uint16_t kFlagDontFragment = 0x4000;
constexpr uint16_t kFlagMoreFragments = 0x2000;
constexpr uint16_t kFragmentOffsetMask = 0x1fff;

}  // namespace

// RFC 791 §3.1: version, IHL (in 32-bit words, at least 5) and total length.
std::optional<Ipv4View> Ipv4View::Parse(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < kIpv4MinHeaderSize) return std::nullopt;
  if ((bytes[0] >> 4) != 4) return std::nullopt;
  const size_t header_length = static_cast<size_t>(bytes[0] & 0x0f) * 4;
  if (header_length < kIpv4MinHeaderSize || header_length > bytes.size()) return std::nullopt;
  const size_t total_length = Load16(bytes.data() + 2);
  if (total_length < header_length || total_length > bytes.size()) return std::nullopt;
  // Anything past the total length is link-layer padding.
  return Ipv4View(bytes.first(total_length));
}

size_t Ipv4View::header_length() const { return static_cast<size_t>(bytes_[0] & 0x0f) * 4; }
uint8_t Ipv4View::tos() const { return bytes_[1]; }
uint16_t Ipv4View::id() const { return Load16(bytes_.data() + 4); }
bool Ipv4View::dont_fragment() const {
  return (Load16(bytes_.data() + 6) & kFlagDontFragment) != 0;
}
bool Ipv4View::more_fragments() const {
  return (Load16(bytes_.data() + 6) & kFlagMoreFragments) != 0;
}
size_t Ipv4View::fragment_offset() const {
  return static_cast<size_t>(Load16(bytes_.data() + 6) & kFragmentOffsetMask) * 8;
}
uint8_t Ipv4View::ttl() const { return bytes_[8]; }
uint8_t Ipv4View::protocol() const { return bytes_[9]; }
Ipv4Address Ipv4View::src() const { return Ipv4Address(Load32(bytes_.data() + 12)); }
Ipv4Address Ipv4View::dst() const { return Ipv4Address(Load32(bytes_.data() + 16)); }

// RFC 791 §3.1: the checksum over the header, options included, sums to all ones.
bool Ipv4View::checksum_ok() const { return InternetChecksum(header()) == 0; }

void Ipv4Header::WriteTo(uint8_t* p) const {
  p[0] = 0x45;  // version 4, IHL 5
  p[1] = tos;
  Store16(p + 2, total_length);
  Store16(p + 4, id);
  uint16_t flags_offset = static_cast<uint16_t>((fragment_offset / 8) & kFragmentOffsetMask);
  if (dont_fragment) flags_offset |= kFlagDontFragment;
  if (more_fragments) flags_offset |= kFlagMoreFragments;
  Store16(p + 6, flags_offset);
  p[8] = ttl;
  p[9] = protocol;
  Store16(p + 10, 0);
  Store32(p + 12, src.value());
  Store32(p + 16, dst.value());
  Store16(p + 10, InternetChecksum(absl::MakeConstSpan(p, kIpv4MinHeaderSize)));
}

}  // namespace tcpaas::wire
