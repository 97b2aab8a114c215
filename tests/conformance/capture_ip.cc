#include "tests/conformance/capture_ip.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace tcpaas::conformance {

PacketBuffer CaptureIp::AllocPacket() {
  return PacketBuffer(kDefaultHeadroom + mtu_, kDefaultHeadroom);
}

absl::Status CaptureIp::SendIpv4(Ipv4Address dst, uint8_t protocol, PacketBuffer packet,
                                 Instant now) {
  if (!error_.empty()) return absl::OkStatus();
  if (protocol != ip::kProtoTcp) {
    error_ = absl::StrCat("the TCP layer sent IP protocol ", protocol);
    return absl::OkStatus();
  }
  if (packet.size() > MaxPayload(dst)) {
    error_ = absl::StrCat("the TCP layer sent a ", packet.size(),
                          "-byte segment; the path carries ", MaxPayload(dst));
    return absl::OkStatus();
  }
  absl::StatusOr<ObservedSegment> s = ParseSegment(packet.bytes(), local_, dst, now);
  if (!s.ok()) {
    error_ = absl::StrCat(s.status().message());
    return absl::OkStatus();
  }
  if (!s->checksum_ok) {
    error_ = absl::StrCat("bad TCP checksum on ", s->ToString());
    return absl::OkStatus();
  }
  sent_.push_back(*std::move(s));
  return absl::OkStatus();
}

}  // namespace tcpaas::conformance
