// IpLayer, receive side: link frames, ARP, IPv4 checks, reassembly and demultiplexing.
#include <optional>
#include <utility>
#include <vector>

#include "stack/ip/ip_layer_impl.h"
#include "stack/wire/ethernet.h"

namespace tcpaas::ip {

void IpLayer::Impl::OnFrame(absl::Span<const uint8_t> frame, Instant now) {
  if (config_.link_layer == link::LinkLayer::kEthernet) {
    OnEthernetFrame(frame, now);
    return;
  }
  // L3 devices carry bare IP packets; the version nibble says which.
  if (frame.empty()) {
    counters_->Drop(DropReason::kLinkTooShort);
    return;
  }
  if ((frame[0] >> 4) == 6) {  // IPv6 is not spoken here
    counters_->Drop(DropReason::kLinkUnknownEtherType);
    return;
  }
  OnIpv4(frame, /*link_broadcast=*/false, now);
}

void IpLayer::Impl::OnEthernetFrame(absl::Span<const uint8_t> frame, Instant now) {
  std::optional<wire::EthernetView> eth = wire::EthernetView::Parse(frame);
  if (!eth.has_value()) {
    counters_->Drop(DropReason::kLinkTooShort);
    return;
  }
  const MacAddress dst = eth->dst();
  const bool link_broadcast = dst.is_broadcast();
  // No multicast groups are joined, so only our own address and broadcast are for us.
  if (!link_broadcast && dst != config_.mac) {
    counters_->Drop(DropReason::kLinkNotForUs);
    return;
  }
  switch (eth->ethertype()) {
    case wire::kEtherTypeIpv4:
      OnIpv4(eth->payload(), link_broadcast, now);
      return;
    case wire::kEtherTypeArp:
      OnArp(eth->payload(), now);
      return;
    default:
      counters_->Drop(DropReason::kLinkUnknownEtherType);
      return;
  }
}

void IpLayer::Impl::OnArp(absl::Span<const uint8_t> bytes, Instant now) {
  std::optional<wire::ArpPacket> arp = wire::ArpPacket::Parse(bytes);
  if (!arp.has_value() || (arp->op != wire::kArpOpRequest && arp->op != wire::kArpOpReply) ||
      arp->sender_mac.is_multicast() || arp->sender_mac.is_zero()) {
    counters_->Drop(DropReason::kArpMalformed);
    return;
  }
  const bool for_us = arp->target_ip == local_address();
  const bool answer = for_us && arp->op == wire::kArpOpRequest;
  // RFC 5227 §2.1.1: a probe has no sender address to learn. Answering it tells the prober
  // that the address is taken, as Linux does.
  if (arp->sender_ip.is_any()) {
    if (answer) SendArp(wire::kArpOpReply, arp->sender_mac, arp->sender_ip, arp->sender_mac);
    return;
  }
  // Someone else claiming our address (RFC 5227 §2.4), or our own announcement looped
  // back: nothing to learn either way.
  if (arp->sender_ip == local_address()) return;

  // RFC 826 "Packet Reception": update the sender's entry if we have one (Merge_flag), and
  // add it if we are the target; only then look at the opcode.
  std::vector<PacketBuffer> released;
  arp_.Merge(arp->sender_ip, arp->sender_mac, /*create=*/for_us, now, &released);
  EmitReleased(released, arp->sender_mac);
  if (answer) SendArp(wire::kArpOpReply, arp->sender_mac, arp->sender_ip, arp->sender_mac);
}

void IpLayer::Impl::OnIpv4(absl::Span<const uint8_t> bytes, bool link_broadcast, Instant now) {
  ++counters_->ipv4_packets_rx;
  std::optional<wire::Ipv4View> ip = wire::Ipv4View::Parse(bytes);
  if (!ip.has_value()) {
    counters_->Drop(DropReason::kIpv4Malformed);
    return;
  }
  // RFC 1122 §3.2.1.2: a host MUST verify the header checksum and silently discard a
  // datagram that fails it.
  if (!ip->checksum_ok()) {
    counters_->Drop(DropReason::kIpv4BadChecksum);
    return;
  }
  // RFC 1122 §3.2.1.3: silently discard datagrams whose source is not one host.
  if (!router_.IsValidSource(ip->src())) {
    counters_->Drop(DropReason::kIpv4Malformed);
    return;
  }
  const bool ip_broadcast = router_.IsBroadcast(ip->dst());
  // RFC 1122 §3.2.1.3: for our address or a broadcast address of our subnet; a host does
  // not forward, so anything else is not for us.
  if (ip->dst() != local_address() && !ip_broadcast) {
    counters_->Drop(DropReason::kIpv4NotForUs);
    return;
  }
  // RFC 1122 §3.2.1.8: options are skipped; the view's header length covers them.
  const bool broadcast = link_broadcast || ip_broadcast;
  if (!ip->is_fragment()) {
    Deliver(*ip, broadcast, /*was_fragmented=*/false, now);
    return;
  }
  // RFC 1122 §3.3.2: reassembly is mandatory for hosts.
  std::optional<std::vector<uint8_t>> whole = reassembler_.Add(*ip, now);
  if (!whole.has_value()) return;
  std::optional<wire::Ipv4View> reassembled = wire::Ipv4View::Parse(*whole);
  if (!reassembled.has_value()) {  // the reassembler writes a valid header; defensive only
    counters_->Drop(DropReason::kIpv4FragmentMalformed);
    return;
  }
  Deliver(*reassembled, broadcast, /*was_fragmented=*/true, now);
}

void IpLayer::Impl::Deliver(const wire::Ipv4View& ip, bool broadcast, bool was_fragmented,
                            Instant now) {
  if (ip.protocol() == kProtoIcmp) {
    OnIcmp(ip, broadcast, now);
    return;
  }
  if (TransportHandler* handler = transports_[ip.protocol()]; handler != nullptr) {
    Ipv4PacketInfo info;
    info.src = ip.src();
    info.dst = ip.dst();
    info.protocol = ip.protocol();
    info.ttl = ip.ttl();
    info.tos = ip.tos();
    info.was_fragmented = was_fragmented;
    handler->OnPacket(info, ip.payload(), now);
    return;
  }
  counters_->Drop(DropReason::kIpv4UnknownProtocol);
  // RFC 1122 §3.2.2.1: a host SHOULD generate Destination Unreachable messages with code 2
  // (Protocol) when the designated transport protocol is not supported.
  Offending offending;
  offending.src = ip.src();
  offending.dst = ip.dst();
  offending.protocol = ip.protocol();
  offending.first_fragment = ip.fragment_offset() == 0;
  offending.broadcast = broadcast;
  offending.payload = ip.payload();
  offending.datagram = ip.bytes();
  SendIcmpError(offending, wire::kIcmpDestUnreachable, wire::kIcmpCodeProtocolUnreachable,
                /*rest=*/0, now);
}

}  // namespace tcpaas::ip
