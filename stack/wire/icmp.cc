#include "stack/wire/icmp.h"

#include <cstring>

#include "stack/wire/checksum.h"
#include "stack/wire/endian.h"

namespace tcpaas::wire {

std::optional<IcmpView> IcmpView::Parse(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < kIcmpHeaderSize) return std::nullopt;
  return IcmpView(bytes);
}

uint8_t IcmpView::type() const { return bytes_[0]; }
uint8_t IcmpView::code() const { return bytes_[1]; }
// RFC 792: the checksum covers the whole ICMP message.
bool IcmpView::checksum_ok() const { return InternetChecksum(bytes_) == 0; }
uint16_t IcmpView::echo_id() const { return Load16(bytes_.data() + 4); }
uint16_t IcmpView::echo_seq() const { return Load16(bytes_.data() + 6); }
// RFC 1191 §4: the low 16 bits of the second word; zero from routers predating RFC 1191.
uint16_t IcmpView::next_hop_mtu() const { return Load16(bytes_.data() + 6); }

size_t WriteIcmp(uint8_t* p, uint8_t type, uint8_t code, uint32_t rest,
                 absl::Span<const uint8_t> body) {
  // The body may already sit in place or overlap the destination (an echo reply built
  // in the request's buffer), hence memmove.
  if (!body.empty()) std::memmove(p + kIcmpHeaderSize, body.data(), body.size());
  p[0] = type;
  p[1] = code;
  Store16(p + 2, 0);
  Store32(p + 4, rest);
  const size_t n = kIcmpHeaderSize + body.size();
  Store16(p + 2, InternetChecksum(absl::MakeConstSpan(p, n)));
  return n;
}

}  // namespace tcpaas::wire
