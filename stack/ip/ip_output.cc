// IpLayer, send side: routing, the IPv4 header, address resolution and link framing.
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stack/ip/ip_layer_impl.h"
#include "stack/wire/ethernet.h"

namespace tcpaas::ip {

absl::Status IpLayer::Impl::Transmit(Ipv4Address dst, uint8_t protocol, PacketBuffer packet,
                                     Instant now) {
  const size_t total_length = wire::kIpv4MinHeaderSize + packet.size();
  // We never fragment (DF is always set, RFC 1191 §3); the transport sizes its segments
  // from MaxPayload().
  if (total_length > config_.mtu) {
    counters_->Drop(DropReason::kIpv4TooBig);
    Recycle(std::move(packet));
    return absl::InvalidArgumentError(
        absl::StrFormat("datagram of %d bytes to %s exceeds the MTU of %d", total_length,
                        dst.ToString(), config_.mtu));
  }
  absl::StatusOr<Ipv4Address> next_hop = router_.NextHop(dst);
  if (!next_hop.ok()) {
    counters_->Drop(DropReason::kIpv4NoRoute);
    Recycle(std::move(packet));
    return next_hop.status();
  }
  // A buffer from elsewhere than AllocPacket() may lack the headroom; move it into one of ours
  // (it fits: its bytes are within the MTU).
  if (packet.headroom() < wire::kIpv4MinHeaderSize + link_header_size_) {
    PacketBuffer copy = pool_.Get(kDefaultHeadroom);
    copy.Append(packet.bytes());
    Recycle(std::move(packet));
    packet = std::move(copy);
  }

  // RFC 791 §3.1. The identification only has to be unique per (source, destination,
  // protocol) while a datagram may be fragmented; with DF set any counter will do (RFC 6864).
  wire::Ipv4Header header;
  header.total_length = static_cast<uint16_t>(total_length);
  header.id = next_ip_id_++;
  header.dont_fragment = true;
  header.ttl = config_.ttl;
  header.protocol = protocol;
  header.src = local_address();
  header.dst = dst;
  header.WriteTo(packet.Prepend(wire::kIpv4MinHeaderSize));

  if (config_.link_layer != link::LinkLayer::kEthernet) {
    EmitDatagram(std::move(packet), MacAddress());
    return absl::OkStatus();
  }
  if (std::optional<ArpCache::Hit> hit = arp_.LookupForSend(*next_hop, now)) {
    if (hit->refresh) SendArpRequest(*next_hop);
    EmitDatagram(std::move(packet), hit->mac);
    return absl::OkStatus();
  }
  // RFC 1122 §2.3.2.2: keep (rather than discard) packets for an unresolved address while
  // ARP runs -- here a bounded queue per neighbour and in total.
  switch (arp_.Enqueue(*next_hop, &packet, now)) {
    case ArpCache::EnqueueResult::kQueuedNewResolution:
      SendArpRequest(*next_hop);
      return absl::OkStatus();
    case ArpCache::EnqueueResult::kQueued:
      return absl::OkStatus();
    case ArpCache::EnqueueResult::kFull:
      break;
  }
  counters_->Drop(DropReason::kArpQueueFull);
  Recycle(std::move(packet));
  return absl::ResourceExhaustedError(
      absl::StrCat("address resolution queue for ", next_hop->ToString(), " is full"));
}

void IpLayer::Impl::EmitDatagram(PacketBuffer datagram, MacAddress next_hop_mac) {
  if (config_.link_layer == link::LinkLayer::kEthernet) {
    wire::WriteEthernetHeader(datagram.Prepend(wire::kEthernetHeaderSize), next_hop_mac,
                              config_.mac, wire::kEtherTypeIpv4);
  }
  ++counters_->ipv4_packets_tx;
  sink_->OutputFrame(std::move(datagram));
}

void IpLayer::Impl::EmitReleased(std::vector<PacketBuffer>& datagrams, MacAddress next_hop_mac) {
  for (PacketBuffer& datagram : datagrams) EmitDatagram(std::move(datagram), next_hop_mac);
  datagrams.clear();
}

void IpLayer::Impl::SendArp(uint16_t op, MacAddress target_mac, Ipv4Address target_ip,
                            MacAddress link_dst) {
  PacketBuffer frame = pool_.Get(kDefaultHeadroom);
  uint8_t* p = frame.Append(wire::kEthernetHeaderSize + wire::kArpPacketSize);
  wire::WriteEthernetHeader(p, link_dst, config_.mac, wire::kEtherTypeArp);
  wire::ArpPacket arp;
  arp.op = op;
  arp.sender_mac = config_.mac;
  arp.sender_ip = local_address();
  arp.target_mac = target_mac;
  arp.target_ip = target_ip;
  arp.WriteTo(p + wire::kEthernetHeaderSize);
  if (op == wire::kArpOpRequest) {
    ++counters_->arp_requests_tx;
  } else {
    ++counters_->arp_replies_tx;
  }
  sink_->OutputFrame(std::move(frame));
}

void IpLayer::Impl::SendArpRequest(Ipv4Address target_ip) {
  // RFC 826: broadcast, target hardware address unknown (zero).
  SendArp(wire::kArpOpRequest, MacAddress(), target_ip, MacAddress::Broadcast());
}

void IpLayer::Impl::AbandonDatagram(PacketBuffer datagram, Instant now) {
  counters_->Drop(DropReason::kArpUnresolved);
  // The datagram is one we built, so it parses; its own header names the flow, and its
  // transport hears "host unreachable" as if a router had said so (RFC 1122 §3.2.2.1), so a
  // connecting socket fails fast instead of waiting out its retransmissions.
  std::optional<wire::Ipv4View> ip = wire::Ipv4View::Parse(datagram.bytes());
  TransportHandler* handler = ip.has_value() ? transports_[ip->protocol()] : nullptr;
  if (handler != nullptr) {
    IcmpError error;
    error.kind = IcmpErrorKind::kHostUnreachable;
    error.type = wire::kIcmpDestUnreachable;
    error.code = wire::kIcmpCodeHostUnreachable;
    error.original_src = ip->src();
    error.original_dst = ip->dst();
    error.protocol = ip->protocol();
    error.original_transport = ip->payload();
    handler->OnIcmpError(error, now);
  }
  Recycle(std::move(datagram));
}

}  // namespace tcpaas::ip
