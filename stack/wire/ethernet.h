// Ethernet II framing (IEEE 802.3 with EtherType; no VLAN tags).
#ifndef TCPAAS_STACK_WIRE_ETHERNET_H_
#define TCPAAS_STACK_WIRE_ETHERNET_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "stack/wire/addr.h"

namespace tcpaas::wire {

inline constexpr size_t kEthernetHeaderSize = 14;
inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeIpv6 = 0x86dd;

class EthernetView {
 public:
  // nullopt if the frame is shorter than the header.
  static std::optional<EthernetView> Parse(absl::Span<const uint8_t> frame);

  MacAddress dst() const;
  MacAddress src() const;
  uint16_t ethertype() const;
  absl::Span<const uint8_t> payload() const { return frame_.subspan(kEthernetHeaderSize); }

 private:
  explicit EthernetView(absl::Span<const uint8_t> f) : frame_(f) {}
  absl::Span<const uint8_t> frame_;
};

// Writes the 14-byte header at p.
void WriteEthernetHeader(uint8_t* p, MacAddress dst, MacAddress src, uint16_t ethertype);

}  // namespace tcpaas::wire

#endif  // TCPAAS_STACK_WIRE_ETHERNET_H_
