#include "stack/wire/arp.h"

#include "stack/wire/endian.h"

namespace tcpaas::wire {
namespace {

// RFC 826 field values for IPv4 over Ethernet.
constexpr uint16_t kArpHardwareEthernet = 1;
constexpr uint16_t kArpProtocolIpv4 = 0x0800;
constexpr uint8_t kArpHardwareLength = 6;
constexpr uint8_t kArpProtocolLength = 4;

}  // namespace

std::optional<ArpPacket> ArpPacket::Parse(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < kArpPacketSize) return std::nullopt;
  const uint8_t* p = bytes.data();
  if (Load16(p) != kArpHardwareEthernet || Load16(p + 2) != kArpProtocolIpv4 ||
      p[4] != kArpHardwareLength || p[5] != kArpProtocolLength) {
    return std::nullopt;
  }
  ArpPacket a;
  a.op = Load16(p + 6);
  a.sender_mac = MacAddress::FromBytes(p + 8);
  a.sender_ip = Ipv4Address(Load32(p + 14));
  a.target_mac = MacAddress::FromBytes(p + 18);
  a.target_ip = Ipv4Address(Load32(p + 24));
  return a;
}

void ArpPacket::WriteTo(uint8_t* p) const {
  Store16(p, kArpHardwareEthernet);
  Store16(p + 2, kArpProtocolIpv4);
  p[4] = kArpHardwareLength;
  p[5] = kArpProtocolLength;
  Store16(p + 6, op);
  sender_mac.CopyTo(p + 8);
  Store32(p + 14, sender_ip.value());
  target_mac.CopyTo(p + 18);
  Store32(p + 24, target_ip.value());
}

}  // namespace tcpaas::wire
