// The contracts between the IP layer and the layers next to it:
//  - TransportHandler: what a transport (TCP) implements to receive datagrams and ICMP errors;
//  - IpSender: what a transport calls to send (implemented by IpLayer, and by fakes in tests);
//  - FrameSink: where the IP layer puts finished link frames (the Host's transmit queue).
#ifndef TCPAAS_STACK_IP_TRANSPORT_H_
#define TCPAAS_STACK_IP_TRANSPORT_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "stack/base/packet_buffer.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"

namespace tcpaas::ip {

inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;

// A received IPv4 datagram (reassembled if it came in fragments), as a transport sees it.
struct Ipv4PacketInfo {
  Ipv4Address src;
  Ipv4Address dst;
  uint8_t protocol = 0;
  uint8_t ttl = 0;
  uint8_t tos = 0;
  bool was_fragmented = false;
};

enum class IcmpErrorKind {
  kNetUnreachable,
  kHostUnreachable,
  kProtocolUnreachable,
  kPortUnreachable,
  kFragmentationNeeded,  // RFC 1191: carries next_hop_mtu
  kAdminProhibited,
  kTimeExceeded,
  kParameterProblem,
  kOther,
};

// An ICMP error about a datagram this stack sent.
struct IcmpError {
  IcmpErrorKind kind = IcmpErrorKind::kOther;
  uint8_t type = 0;
  uint8_t code = 0;
  uint16_t next_hop_mtu = 0;  // kFragmentationNeeded only; 0 if the router did not say
  // The refused datagram's total length, for RFC 1191 §5's plateau estimate when the router
  // gave no next-hop MTU.
  uint16_t original_total_length = 0;
  Ipv4Address original_src;  // addresses of the datagram that caused the error
  Ipv4Address original_dst;
  uint8_t protocol = 0;
  // The start of the offending datagram's transport header: at least 8 bytes (ports and,
  // for TCP, the sequence number), more if the router quoted more.
  absl::Span<const uint8_t> original_transport;
};

class TransportHandler {
 public:
  virtual ~TransportHandler() = default;
  // `segment` is the transport header plus payload; it is valid only during the call.
  virtual void OnPacket(const Ipv4PacketInfo& info, absl::Span<const uint8_t> segment,
                        Instant now) = 0;
  virtual void OnIcmpError(const IcmpError& error, Instant now) = 0;
};

class IpSender {
 public:
  virtual ~IpSender() = default;
  virtual Ipv4Address local_address() const = 0;
  // The largest transport segment (IPv4 payload) that reaches `dst` unfragmented: the path
  // MTU toward dst (lowered by ICMP fragmentation-needed, RFC 1191) minus a 20-byte IPv4 header.
  virtual size_t MaxPayload(Ipv4Address dst) const = 0;
  // An empty buffer with headroom for the IPv4 and link headers and room for MaxPayload bytes.
  virtual PacketBuffer AllocPacket() = 0;
  // Sends `packet` (transport header + payload, checksum already filled) to `dst` with DF set.
  // Failures (no route, resolution queue full) are counted by the IP layer and returned.
  virtual absl::Status SendIpv4(Ipv4Address dst, uint8_t protocol, PacketBuffer packet,
                                Instant now) = 0;
  // A fragmentation-needed error (RFC 1191 §6.1) the transport has checked belongs to a flow
  // it has in flight (for TCP, RFC 5927 §4.1 and §7.2: the quoted sequence number). Only then
  // is the path MTU toward error.original_dst lowered, so that a forged error quoting a
  // guessed address and ports cannot shrink it (Linux tcp_v4_err does the same).
  virtual void LowerPathMtu(const IcmpError& error, Instant now) = 0;
};

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // A complete link frame (Ethernet header included on L2 devices) ready for the device.
  virtual void OutputFrame(PacketBuffer frame) = 0;
};

}  // namespace tcpaas::ip

#endif  // TCPAAS_STACK_IP_TRANSPORT_H_
