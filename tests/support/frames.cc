#include "tests/support/frames.h"

#include "stack/wire/arp.h"
#include "stack/wire/ethernet.h"

namespace tcpaas::test {
namespace {

std::vector<uint8_t> ArpFrame(MacAddress eth_dst, const wire::ArpPacket& arp) {
  std::vector<uint8_t> frame(wire::kEthernetHeaderSize + wire::kArpPacketSize);
  wire::WriteEthernetHeader(frame.data(), eth_dst, arp.sender_mac, wire::kEtherTypeArp);
  arp.WriteTo(frame.data() + wire::kEthernetHeaderSize);
  return frame;
}

}  // namespace

std::vector<uint8_t> ArpRequestFrame(MacAddress sender_mac, Ipv4Address sender_ip,
                                     Ipv4Address target_ip) {
  wire::ArpPacket arp;
  arp.op = wire::kArpOpRequest;
  arp.sender_mac = sender_mac;
  arp.sender_ip = sender_ip;
  arp.target_ip = target_ip;  // target_mac stays zero: unknown (RFC 826)
  return ArpFrame(MacAddress::Broadcast(), arp);
}

std::vector<uint8_t> ArpReplyFrame(MacAddress sender_mac, Ipv4Address sender_ip,
                                   MacAddress target_mac, Ipv4Address target_ip) {
  wire::ArpPacket arp;
  arp.op = wire::kArpOpReply;
  arp.sender_mac = sender_mac;
  arp.sender_ip = sender_ip;
  arp.target_mac = target_mac;
  arp.target_ip = target_ip;
  return ArpFrame(target_mac, arp);
}

}  // namespace tcpaas::test
