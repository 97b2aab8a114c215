#include "stack/ip/ip_layer.h"

#include <utility>

#include "stack/ip/ip_layer_impl.h"
#include "stack/wire/ethernet.h"

namespace tcpaas::ip {
namespace {

// Free buffers the pool keeps: enough to absorb a burst of transmitted frames coming back
// through Recycle() without freeing and reallocating them.
constexpr size_t kPoolMaxFree = 512;

ArpCacheConfig ArpConfigFrom(const InterfaceConfig& c) {
  ArpCacheConfig arp;
  arp.entry_ttl = c.arp_entry_ttl;
  arp.retry_interval = c.arp_retry_interval;
  arp.max_requests = c.arp_max_requests;
  arp.capacity = c.arp_cache_capacity;
  arp.pending_per_neighbor = c.arp_pending_per_neighbor;
  arp.pending_total = c.arp_pending_total;
  return arp;
}

ReassemblyConfig ReassemblyConfigFrom(const InterfaceConfig& c) {
  ReassemblyConfig r;
  r.max_bytes = c.reassembly_max_bytes;
  r.max_datagrams = c.reassembly_max_datagrams;
  r.timeout = c.reassembly_timeout;
  return r;
}

}  // namespace

IpLayer::Impl::Impl(const InterfaceConfig& config, StackCounters* counters, FrameSink* sink)
    : config_(config),
      counters_(counters),
      sink_(sink),
      link_header_size_(config.link_layer == link::LinkLayer::kEthernet ? wire::kEthernetHeaderSize
                                                                        : 0),
      router_(config.address, config.gateway),
      arp_(ArpConfigFrom(config)),
      reassembler_(ReassemblyConfigFrom(config), counters),
      pmtu_(config.mtu, config.pmtu_cache_capacity, config.pmtu_expiry),
      icmp_error_limiter_(config.icmp_errors_per_second),
      pool_(config.mtu + kDefaultHeadroom, kPoolMaxFree) {}

void IpLayer::Impl::Start(Instant now) {
  if (config_.link_layer != link::LinkLayer::kEthernet || !config_.gratuitous_arp) return;
  // RFC 5227 §3: an announcement is a request with sender and target IP both ours and the
  // target hardware address zero, broadcast, so neighbours update stale entries for us.
  SendArp(wire::kArpOpRequest, MacAddress(), local_address(), MacAddress::Broadcast());
}

void IpLayer::Impl::Poll(Instant now) {
  ArpCache::PollResult arp;
  arp_.Poll(now, &arp);
  for (Ipv4Address target : arp.requests) SendArpRequest(target);
  for (PacketBuffer& datagram : arp.abandoned) AbandonDatagram(std::move(datagram), now);

  std::vector<Reassembler::TimedOut> timed_out;
  reassembler_.Poll(now, &timed_out);
  for (const Reassembler::TimedOut& datagram : timed_out) {
    SendReassemblyTimeExceeded(datagram, now);
  }

  pmtu_.Poll(now);
}

Instant IpLayer::Impl::NextDeadline() const {
  return Earliest(arp_.NextDeadline(), Earliest(reassembler_.NextDeadline(), pmtu_.NextDeadline()));
}

void IpLayer::Impl::AddStaticNeighbor(Ipv4Address addr, MacAddress mac) {
  std::vector<PacketBuffer> released;
  arp_.AddStatic(addr, mac, &released);
  EmitReleased(released, mac);
}

std::optional<MacAddress> IpLayer::Impl::LookupNeighbor(Ipv4Address addr) const {
  if (config_.link_layer != link::LinkLayer::kEthernet) return std::nullopt;
  return arp_.Lookup(addr);
}

size_t IpLayer::Impl::MaxPayload(Ipv4Address dst) const {
  const size_t path_mtu = pmtu_.PathMtu(dst);
  return path_mtu > wire::kIpv4MinHeaderSize ? path_mtu - wire::kIpv4MinHeaderSize : 0;
}

void IpLayer::Impl::LowerPathMtu(const IcmpError& error, Instant now) {
  if (error.kind != IcmpErrorKind::kFragmentationNeeded) return;
  // RFC 1191 §6.1: lower the estimate for the destination the datagram was going to.
  pmtu_.OnFragmentationNeeded(error.original_dst, error.next_hop_mtu, error.original_total_length,
                              now);
}

// --- IpLayer: forwards to Impl. ------------------------------------------------------------

IpLayer::IpLayer(const InterfaceConfig& config, StackCounters* counters, FrameSink* sink)
    : impl_(std::make_unique<Impl>(config, counters, sink)) {}
IpLayer::~IpLayer() = default;

const InterfaceConfig& IpLayer::config() const { return impl_->config(); }
void IpLayer::RegisterTransport(uint8_t protocol, TransportHandler* handler) {
  impl_->RegisterTransport(protocol, handler);
}
void IpLayer::Start(Instant now) { impl_->Start(now); }
void IpLayer::OnFrame(absl::Span<const uint8_t> frame, Instant now) { impl_->OnFrame(frame, now); }
void IpLayer::Poll(Instant now) { impl_->Poll(now); }
Instant IpLayer::NextDeadline() const { return impl_->NextDeadline(); }
absl::Status IpLayer::SendEchoRequest(Ipv4Address dst, uint16_t id, uint16_t seq,
                                      absl::Span<const uint8_t> payload, Instant now) {
  return impl_->SendEchoRequest(dst, id, seq, payload, now);
}
void IpLayer::SetEchoReplyHandler(EchoReplyHandler handler) {
  impl_->SetEchoReplyHandler(std::move(handler));
}
void IpLayer::AddStaticNeighbor(Ipv4Address addr, MacAddress mac) {
  impl_->AddStaticNeighbor(addr, mac);
}
std::optional<MacAddress> IpLayer::LookupNeighbor(Ipv4Address addr) const {
  return impl_->LookupNeighbor(addr);
}
void IpLayer::Recycle(PacketBuffer buffer) { impl_->Recycle(std::move(buffer)); }
Ipv4Address IpLayer::local_address() const { return impl_->local_address(); }
size_t IpLayer::MaxPayload(Ipv4Address dst) const { return impl_->MaxPayload(dst); }
PacketBuffer IpLayer::AllocPacket() { return impl_->AllocPacket(); }
void IpLayer::LowerPathMtu(const IcmpError& error, Instant now) { impl_->LowerPathMtu(error, now); }
absl::Status IpLayer::SendIpv4(Ipv4Address dst, uint8_t protocol, PacketBuffer packet,
                               Instant now) {
  return impl_->SendIpv4(dst, protocol, std::move(packet), now);
}

}  // namespace tcpaas::ip
