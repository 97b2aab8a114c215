// The IP layer of one interface: Ethernet framing (on L2 devices), ARP, IPv4 with fragment
// reassembly, ICMP (echo, errors in and out, path MTU), and delivery to transports.
//
// Sans-I/O: frames come in through OnFrame() and leave through a FrameSink; time moves only
// through `now` arguments.
#ifndef TCPAAS_STACK_IP_IP_LAYER_H_
#define TCPAAS_STACK_IP_IP_LAYER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "stack/base/counters.h"
#include "stack/base/packet_buffer.h"
#include "stack/base/time.h"
#include "stack/ip/transport.h"
#include "stack/link/device.h"
#include "stack/wire/addr.h"

namespace tcpaas::ip {

struct InterfaceConfig {
  link::LinkLayer link_layer = link::LinkLayer::kEthernet;
  MacAddress mac;                      // our hardware address (kEthernet)
  Ipv4Cidr address;                    // e.g. 198.18.0.2/24
  std::optional<Ipv4Address> gateway;  // next hop for destinations off the subnet
  size_t mtu = 1500;                   // L3 MTU of the device
  uint8_t ttl = 64;

  // ARP (RFC 826). Entries expire; unresolved destinations hold a bounded queue of packets.
  Duration arp_entry_ttl = Duration::Seconds(60);
  Duration arp_retry_interval = Duration::Seconds(1);
  int arp_max_requests = 3;              // requests per resolution before giving up
  size_t arp_cache_capacity = 1024;      // entries
  size_t arp_pending_per_neighbor = 32;  // packets queued while a neighbour resolves
  size_t arp_pending_total = 1024;
  bool gratuitous_arp = true;  // announce our address at Start()

  // IPv4 reassembly (RFC 791 §3.2, RFC 815). Bounded in bytes and datagrams; stale partial
  // datagrams are dropped after the timeout.
  size_t reassembly_max_bytes = 1 << 20;
  size_t reassembly_max_datagrams = 64;
  Duration reassembly_timeout = Duration::Seconds(30);

  // Outgoing ICMP errors are limited to this many per second (RFC 1812 §4.3.2.8).
  int icmp_errors_per_second = 100;
  // Path MTU entries learned from ICMP fragmentation-needed expire after this (RFC 1191 §6.3).
  Duration pmtu_expiry = Duration::Seconds(600);
  size_t pmtu_cache_capacity = 1024;
};

// An ICMP echo reply that arrived for us (RFC 792). `payload` is valid only during the call.
struct EchoReply {
  Ipv4Address from;
  uint16_t id = 0;
  uint16_t seq = 0;
  absl::Span<const uint8_t> payload;
};
using EchoReplyHandler = absl::AnyInvocable<void(const EchoReply& reply, Instant now)>;

class IpLayer : public IpSender {
 public:
  // `counters` and `sink` must outlive the layer.
  IpLayer(const InterfaceConfig& config, StackCounters* counters, FrameSink* sink);
  ~IpLayer() override;
  IpLayer(const IpLayer&) = delete;
  IpLayer& operator=(const IpLayer&) = delete;

  const InterfaceConfig& config() const;

  // Registers the handler for an IP protocol number (TCP: kProtoTcp). Datagrams for an
  // unregistered protocol get ICMP protocol-unreachable and are counted as dropped.
  void RegisterTransport(uint8_t protocol, TransportHandler* handler);

  // Sends the gratuitous ARP announcement (kEthernet with gratuitous_arp).
  void Start(Instant now);

  // One frame from the device: Ethernet on L2 devices, a bare IPv4 packet on L3 devices.
  void OnFrame(absl::Span<const uint8_t> frame, Instant now);

  // Expires ARP entries and path MTU estimates, retries ARP requests, drops stale reassembly
  // state (sending ICMP time exceeded where RFC 792 asks for it).
  void Poll(Instant now);
  Instant NextDeadline() const;

  // Sends an ICMP echo request (used by tests and by the server's diagnostics).
  absl::Status SendEchoRequest(Ipv4Address dst, uint16_t id, uint16_t seq,
                               absl::Span<const uint8_t> payload, Instant now);
  // Receives the echo replies that arrive; without a handler they are counted as dropped
  // (kIcmpUnhandled).
  void SetEchoReplyHandler(EchoReplyHandler handler);

  // A static ARP entry (tests; operators with static neighbours).
  void AddStaticNeighbor(Ipv4Address addr, MacAddress mac);
  std::optional<MacAddress> LookupNeighbor(Ipv4Address addr) const;

  // Gives the buffer of a transmitted frame back to the layer's pool.
  void Recycle(PacketBuffer buffer);

  // IpSender.
  Ipv4Address local_address() const override;
  size_t MaxPayload(Ipv4Address dst) const override;
  PacketBuffer AllocPacket() override;
  absl::Status SendIpv4(Ipv4Address dst, uint8_t protocol, PacketBuffer packet,
                        Instant now) override;
  void LowerPathMtu(const IcmpError& error, Instant now) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tcpaas::ip

#endif  // TCPAAS_STACK_IP_IP_LAYER_H_
