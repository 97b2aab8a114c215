#include "stack/wire/ethernet.h"

#include "stack/wire/endian.h"

namespace tcpaas::wire {

std::optional<EthernetView> EthernetView::Parse(absl::Span<const uint8_t> frame) {
  if (frame.size() < kEthernetHeaderSize) return std::nullopt;
  return EthernetView(frame);
}

MacAddress EthernetView::dst() const { return MacAddress::FromBytes(frame_.data()); }
MacAddress EthernetView::src() const { return MacAddress::FromBytes(frame_.data() + 6); }
uint16_t EthernetView::ethertype() const { return Load16(frame_.data() + 12); }

void WriteEthernetHeader(uint8_t* p, MacAddress dst, MacAddress src, uint16_t ethertype) {
  dst.CopyTo(p);
  src.CopyTo(p + 6);
  Store16(p + 12, ethertype);
}

}  // namespace tcpaas::wire
