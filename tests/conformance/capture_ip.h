// The IP layer as the runner fakes it under the TCP layer: it keeps every segment the stack
// sends, parsed and stamped with the virtual time, for '>' lines to claim in order (as
// packetdrill sniffs the tun device). Nothing leaves the process.
#ifndef TCPAAS_TESTS_CONFORMANCE_CAPTURE_IP_H_
#define TCPAAS_TESTS_CONFORMANCE_CAPTURE_IP_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "stack/base/packet_buffer.h"
#include "stack/ip/transport.h"
#include "tests/conformance/segment_codec.h"

namespace tcpaas::conformance {

class CaptureIp : public ip::IpSender {
 public:
  CaptureIp(Ipv4Address local, size_t mtu) : local_(local), mtu_(mtu) {}

  void set_mtu(size_t mtu) { mtu_ = mtu; }
  size_t mtu() const { return mtu_; }

  Ipv4Address local_address() const override { return local_; }
  size_t MaxPayload(Ipv4Address dst) const override { return mtu_ - 20; }
  PacketBuffer AllocPacket() override;
  absl::Status SendIpv4(Ipv4Address dst, uint8_t protocol, PacketBuffer packet,
                        Instant now) override;
  // The IP layer below TCP lowers the path MTU on a fragmentation-needed error TCP believed
  // (RFC 1191 §6.1, RFC 5927 §4.1); one path, so one MTU.
  void LowerPathMtu(const ip::IcmpError& error, Instant now) override {
    if (error.next_hop_mtu >= 68 && error.next_hop_mtu < mtu_) mtu_ = error.next_hop_mtu;
  }

  std::deque<ObservedSegment>& sent() { return sent_; }
  // A problem with something the stack sent (not TCP, unparseable, oversized), if any.
  const std::string& error() const { return error_; }

 private:
  Ipv4Address local_;
  size_t mtu_;
  std::deque<ObservedSegment> sent_;
  std::string error_;
};

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_CAPTURE_IP_H_
