// The state and internal steps of IpLayer (ip_layer.h). Private to stack/ip: the work is
// split by direction over ip_layer.cc (set-up, timers, the IpSender side), ip_input.cc
// (frames in, ARP, IPv4 demultiplexing), ip_output.cc (datagrams and frames out) and
// icmp.cc (ICMP in and out).
#ifndef TCPAAS_STACK_IP_IP_LAYER_IMPL_H_
#define TCPAAS_STACK_IP_IP_LAYER_IMPL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "stack/base/counters.h"
#include "stack/base/packet_buffer.h"
#include "stack/base/time.h"
#include "stack/ip/arp_cache.h"
#include "stack/ip/icmp_rate_limiter.h"
#include "stack/ip/ip_layer.h"
#include "stack/ip/pmtu_cache.h"
#include "stack/ip/reassembler.h"
#include "stack/ip/route.h"
#include "stack/ip/transport.h"
#include "stack/wire/addr.h"
#include "stack/wire/arp.h"
#include "stack/wire/icmp.h"
#include "stack/wire/ipv4.h"

namespace tcpaas::ip {

class IpLayer::Impl {
 public:
  Impl(const InterfaceConfig& config, StackCounters* counters, FrameSink* sink);

  const InterfaceConfig& config() const { return config_; }
  void RegisterTransport(uint8_t protocol, TransportHandler* handler) {
    transports_[protocol] = handler;
  }
  void SetEchoReplyHandler(EchoReplyHandler handler) { echo_reply_handler_ = std::move(handler); }

  void Start(Instant now);
  void OnFrame(absl::Span<const uint8_t> frame, Instant now);
  void Poll(Instant now);
  Instant NextDeadline() const;

  absl::Status SendEchoRequest(Ipv4Address dst, uint16_t id, uint16_t seq,
                               absl::Span<const uint8_t> payload, Instant now);
  void AddStaticNeighbor(Ipv4Address addr, MacAddress mac);
  std::optional<MacAddress> LookupNeighbor(Ipv4Address addr) const;
  void Recycle(PacketBuffer buffer) { pool_.Put(std::move(buffer)); }

  Ipv4Address local_address() const { return router_.local_address(); }
  size_t MaxPayload(Ipv4Address dst) const;
  void LowerPathMtu(const IcmpError& error, Instant now);
  PacketBuffer AllocPacket() { return pool_.Get(kDefaultHeadroom); }
  absl::Status SendIpv4(Ipv4Address dst, uint8_t protocol, PacketBuffer packet, Instant now) {
    return Transmit(dst, protocol, std::move(packet), now);
  }

 private:
  // A received datagram that an ICMP error may be about, with the facts that decide whether
  // one may be sent at all (RFC 1122 §3.2.2).
  struct Offending {
    Ipv4Address src;
    Ipv4Address dst;
    uint8_t protocol = 0;
    bool first_fragment = true;
    bool broadcast = false;              // sent to a link-layer or IP broadcast address
    absl::Span<const uint8_t> payload;   // what follows its header (possibly truncated)
    absl::Span<const uint8_t> datagram;  // header and payload, as much as is at hand
  };

  // ip_input.cc
  void OnEthernetFrame(absl::Span<const uint8_t> frame, Instant now);
  void OnArp(absl::Span<const uint8_t> bytes, Instant now);
  void OnIpv4(absl::Span<const uint8_t> bytes, bool link_broadcast, Instant now);
  void Deliver(const wire::Ipv4View& ip, bool broadcast, bool was_fragmented, Instant now);

  // ip_output.cc
  absl::Status Transmit(Ipv4Address dst, uint8_t protocol, PacketBuffer packet, Instant now);
  // Frames a finished datagram (Ethernet header on L2 devices) and hands it to the sink.
  void EmitDatagram(PacketBuffer datagram, MacAddress next_hop_mac);
  void EmitReleased(std::vector<PacketBuffer>& datagrams, MacAddress next_hop_mac);
  void SendArp(uint16_t op, MacAddress target_mac, Ipv4Address target_ip, MacAddress link_dst);
  void SendArpRequest(Ipv4Address target_ip);
  // A datagram whose next hop never answered ARP: dropped, and its transport told.
  void AbandonDatagram(PacketBuffer datagram, Instant now);

  // icmp.cc
  void OnIcmp(const wire::Ipv4View& ip, bool broadcast, Instant now);
  void OnIcmpErrorMessage(const wire::IcmpView& icmp, Instant now);
  void SendEchoReply(const wire::Ipv4View& ip, const wire::IcmpView& request, Instant now);
  void SendIcmpError(const Offending& offending, uint8_t type, uint8_t code, uint32_t rest,
                     Instant now);
  void SendReassemblyTimeExceeded(const Reassembler::TimedOut& timed_out, Instant now);

  InterfaceConfig config_;
  StackCounters* counters_;
  FrameSink* sink_;
  size_t link_header_size_;
  Router router_;
  ArpCache arp_;
  Reassembler reassembler_;
  PmtuCache pmtu_;
  IcmpRateLimiter icmp_error_limiter_;
  BufferPool pool_;
  std::array<TransportHandler*, 256> transports_{};
  EchoReplyHandler echo_reply_handler_;
  uint16_t next_ip_id_ = 0;
};

}  // namespace tcpaas::ip

#endif  // TCPAAS_STACK_IP_IP_LAYER_IMPL_H_
