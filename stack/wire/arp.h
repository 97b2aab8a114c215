// ARP for IPv4 over Ethernet (RFC 826).
#ifndef TCPAAS_STACK_WIRE_ARP_H_
#define TCPAAS_STACK_WIRE_ARP_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "stack/wire/addr.h"

namespace tcpaas::wire {

inline constexpr size_t kArpPacketSize = 28;
inline constexpr uint16_t kArpOpRequest = 1;
inline constexpr uint16_t kArpOpReply = 2;

struct ArpPacket {
  uint16_t op = kArpOpRequest;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;

  // nullopt unless hardware type 1 (Ethernet), protocol 0x0800, lengths 6 and 4, and at
  // least 28 bytes. The op is returned as is; callers ignore ops they do not know.
  static std::optional<ArpPacket> Parse(absl::Span<const uint8_t> bytes);
  // Writes kArpPacketSize bytes at p.
  void WriteTo(uint8_t* p) const;
};

}  // namespace tcpaas::wire

#endif  // TCPAAS_STACK_WIRE_ARP_H_
