// Test-only helpers for stack/ip/*_test.cc: a frame sink and a transport that record what
// they get, builders that make frames read like a trace, and a fixture that drives one
// IpLayer in virtual time.
#ifndef TCPAAS_STACK_IP_IP_TEST_UTIL_H_
#define TCPAAS_STACK_IP_IP_TEST_UTIL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "stack/base/counters.h"
#include "stack/base/packet_buffer.h"
#include "stack/base/time.h"
#include "stack/ip/ip_layer.h"
#include "stack/ip/transport.h"
#include "stack/wire/addr.h"
#include "stack/wire/arp.h"
#include "stack/wire/checksum.h"
#include "stack/wire/endian.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmp.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace tcpaas::ip::iptest {

using Bytes = std::vector<uint8_t>;

inline constexpr MacAddress kOurMac({0x02, 0x00, 0x00, 0x00, 0x00, 0x02});
inline constexpr MacAddress kPeerMac({0x02, 0x00, 0x00, 0x00, 0x00, 0x01});
inline constexpr MacAddress kOtherMac({0x02, 0x00, 0x00, 0x00, 0x00, 0x03});
inline constexpr MacAddress kGatewayMac({0x02, 0x00, 0x00, 0x00, 0x00, 0xfe});
inline constexpr Ipv4Address kOurIp = Ipv4Address::FromOctets(198, 18, 0, 2);
inline constexpr Ipv4Address kPeerIp = Ipv4Address::FromOctets(198, 18, 0, 1);
inline constexpr Ipv4Address kOtherIp = Ipv4Address::FromOctets(198, 18, 0, 3);
inline constexpr Ipv4Address kGatewayIp = Ipv4Address::FromOctets(198, 18, 0, 254);
inline constexpr Ipv4Address kSubnetBroadcast = Ipv4Address::FromOctets(198, 18, 0, 255);
inline constexpr Ipv4Address kRemoteIp = Ipv4Address::FromOctets(198, 19, 7, 7);  // off-link

inline InterfaceConfig TestConfig(link::LinkLayer layer = link::LinkLayer::kEthernet) {
  InterfaceConfig c;
  c.link_layer = layer;
  c.mac = layer == link::LinkLayer::kEthernet ? kOurMac : MacAddress();
  c.address = Ipv4Cidr{kOurIp, 24};
  c.gateway = kGatewayIp;
  return c;
}

// n bytes of a recognisable pattern.
inline Bytes Pattern(size_t n, uint8_t seed = 0) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

inline Bytes Concat(absl::Span<const uint8_t> a, absl::Span<const uint8_t> b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

inline Bytes EthernetFrame(MacAddress dst, MacAddress src, uint16_t ethertype,
                           absl::Span<const uint8_t> payload) {
  Bytes frame(wire::kEthernetHeaderSize);
  wire::WriteEthernetHeader(frame.data(), dst, src, ethertype);
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

inline Bytes ArpBytes(uint16_t op, MacAddress sender_mac, Ipv4Address sender_ip,
                      MacAddress target_mac, Ipv4Address target_ip) {
  wire::ArpPacket arp;
  arp.op = op;
  arp.sender_mac = sender_mac;
  arp.sender_ip = sender_ip;
  arp.target_mac = target_mac;
  arp.target_ip = target_ip;
  Bytes b(wire::kArpPacketSize);
  arp.WriteTo(b.data());
  return b;
}

// "Who has target_ip? Tell sender_ip", broadcast.
inline Bytes ArpRequestFrame(MacAddress sender_mac, Ipv4Address sender_ip, Ipv4Address target_ip) {
  return EthernetFrame(
      MacAddress::Broadcast(), sender_mac, wire::kEtherTypeArp,
      ArpBytes(wire::kArpOpRequest, sender_mac, sender_ip, MacAddress(), target_ip));
}

// "sender_ip is at sender_mac", unicast to us.
inline Bytes ArpReplyFrame(MacAddress sender_mac, Ipv4Address sender_ip) {
  return EthernetFrame(kOurMac, sender_mac, wire::kEtherTypeArp,
                       ArpBytes(wire::kArpOpReply, sender_mac, sender_ip, kOurMac, kOurIp));
}

struct Ipv4Spec {
  Ipv4Address src = kPeerIp;
  Ipv4Address dst = kOurIp;
  uint8_t protocol = kProtoTcp;
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t id = 1;
  bool df = false;
  bool mf = false;
  uint16_t offset = 0;      // bytes
  size_t option_bytes = 0;  // a multiple of 4: NOP options inserted after the fixed header
};

// An IPv4 datagram with a correct header checksum.
inline Bytes Ipv4Packet(const Ipv4Spec& s, absl::Span<const uint8_t> payload) {
  const size_t header_size = wire::kIpv4MinHeaderSize + s.option_bytes;
  wire::Ipv4Header h;
  h.tos = s.tos;
  h.total_length = static_cast<uint16_t>(header_size + payload.size());
  h.id = s.id;
  h.dont_fragment = s.df;
  h.more_fragments = s.mf;
  h.fragment_offset = s.offset;
  h.ttl = s.ttl;
  h.protocol = s.protocol;
  h.src = s.src;
  h.dst = s.dst;
  Bytes b(header_size);
  h.WriteTo(b.data());
  if (s.option_bytes > 0) {
    b[0] = static_cast<uint8_t>(0x40 | (header_size / 4));
    for (size_t i = wire::kIpv4MinHeaderSize; i < header_size; ++i) b[i] = 1;  // NOP
    wire::Store16(b.data() + 10, 0);
    wire::Store16(b.data() + 10, wire::InternetChecksum(b));
  }
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline Bytes IcmpMessage(uint8_t type, uint8_t code, uint32_t rest,
                         absl::Span<const uint8_t> body) {
  Bytes b(wire::kIcmpHeaderSize + body.size());
  wire::WriteIcmp(b.data(), type, code, rest, body);
  return b;
}

// A 20-byte TCP header with a payload; the checksum is left zero (the IP layer never
// looks at it).
inline Bytes TcpSegment(uint16_t src_port, uint16_t dst_port, uint32_t seq,
                        absl::Span<const uint8_t> payload = {}) {
  wire::TcpHeader h;
  h.src_port = Port(src_port);
  h.dst_port = Port(dst_port);
  h.seq = SeqNum(seq);
  h.flags = wire::tcp_flags::kSyn;
  h.window = 65535;
  Bytes b(h.size());
  h.WriteTo(b.data());
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

class FakeFrameSink : public FrameSink {
 public:
  void OutputFrame(PacketBuffer frame) override {
    frames.emplace_back(frame.bytes().begin(), frame.bytes().end());
    buffers.push_back(std::move(frame));
  }
  std::vector<Bytes> Take() {
    std::vector<Bytes> out = std::move(frames);
    frames.clear();
    return out;
  }

  std::vector<Bytes> frames;
  std::vector<PacketBuffer> buffers;  // kept so a test can give them back with Recycle()
};

class FakeTransport : public TransportHandler {
 public:
  struct Packet {
    Ipv4PacketInfo info;
    Bytes segment;
  };
  struct Error {
    IcmpError error;  // original_transport points into `transport`
    Bytes transport;
  };

  void OnPacket(const Ipv4PacketInfo& info, absl::Span<const uint8_t> segment,
                Instant now) override {
    packets.push_back(Packet{info, Bytes(segment.begin(), segment.end())});
  }
  void OnIcmpError(const IcmpError& error, Instant now) override {
    errors.push_back(
        Error{error, Bytes(error.original_transport.begin(), error.original_transport.end())});
    errors.back().error.original_transport = errors.back().transport;
    // As TCP does once the quoted sequence number checks out (IpSender::LowerPathMtu).
    if (believe != nullptr) believe->LowerPathMtu(error, now);
  }

  std::vector<Packet> packets;
  std::vector<Error> errors;
  IpSender* believe = nullptr;  // if set, every error is believed and reported back
};

// Asserts that exactly `n` drops were counted, all under `reason`.
inline void ExpectOnlyDrops(const StackCounters& c, DropReason reason, uint64_t n) {
  EXPECT_EQ(c.dropped(reason), n) << DropReasonName(reason);
  EXPECT_EQ(c.TotalDrops(), n) << "drops under other reasons than " << DropReasonName(reason);
}

// The L3 part of an output frame (after the Ethernet header on L2 devices).
inline absl::Span<const uint8_t> L3(const Bytes& frame, link::LinkLayer layer) {
  absl::Span<const uint8_t> s(frame);
  return layer == link::LinkLayer::kEthernet ? s.subspan(wire::kEthernetHeaderSize) : s;
}

// One IpLayer over a FakeFrameSink, a FakeTransport registered for TCP, virtual time.
class IpLayerFixture : public ::testing::Test {
 protected:
  void Make(const InterfaceConfig& config) {
    config_ = config;
    layer_ = std::make_unique<IpLayer>(config_, &counters_, &sink_);
    layer_->RegisterTransport(kProtoTcp, &tcp_);
  }
  void MakeDefault() { Make(TestConfig()); }

  void Receive(const Bytes& frame) { layer_->OnFrame(frame, now_); }
  // An IPv4 datagram from the peer's MAC (or bare on L3 devices).
  void ReceiveIpv4(const Bytes& datagram, MacAddress link_dst = kOurMac) {
    if (config_.link_layer == link::LinkLayer::kEthernet) {
      Receive(EthernetFrame(link_dst, kPeerMac, wire::kEtherTypeIpv4, datagram));
    } else {
      Receive(datagram);
    }
  }
  // Moves virtual time forward by d and runs the layer's timers.
  void Advance(Duration d) {
    now_ += d;
    layer_->Poll(now_);
  }
  // Runs every deadline up to `until`, in order, the way the runtime would.
  void RunUntil(Instant until) {
    while (layer_->NextDeadline() <= until) {
      now_ = std::max(now_, layer_->NextDeadline());
      layer_->Poll(now_);
    }
    now_ = std::max(now_, until);
  }

  absl::Status SendTcp(Ipv4Address dst, absl::Span<const uint8_t> segment) {
    PacketBuffer p = layer_->AllocPacket();
    p.Append(segment);
    return layer_->SendIpv4(dst, kProtoTcp, std::move(p), now_);
  }

  std::optional<wire::Ipv4View> SentIpv4(const Bytes& frame) const {
    return wire::Ipv4View::Parse(L3(frame, config_.link_layer));
  }

  InterfaceConfig config_;
  StackCounters counters_;
  FakeFrameSink sink_;
  FakeTransport tcp_;
  std::unique_ptr<IpLayer> layer_;
  Instant now_ = Instant::Zero() + Duration::Seconds(1000);
};

}  // namespace tcpaas::ip::iptest

#endif  // TCPAAS_STACK_IP_IP_TEST_UTIL_H_
