#include "stack/tcp/segment_writer.h"

#include <cstring>
#include <utility>

namespace tcpaas::tcp {

absl::Status WriteSegment(ip::IpSender& ip, StackCounters& counters, const FourTuple& tuple,
                          wire::TcpHeader header, const RingSlices& payload, Instant now) {
  header.src_port = tuple.local.port;
  header.dst_port = tuple.remote.port;
  const size_t header_size = header.size();
  PacketBuffer packet = ip.AllocPacket();
  if (!packet.valid() || packet.tailroom() < header_size + payload.size()) {
    counters.Drop(DropReason::kTcpTxError);
    return absl::InternalError("packet buffer too small for a TCP segment");
  }
  header.WriteTo(packet.Append(header_size));
  if (!payload.first.empty()) {
    std::memcpy(packet.Append(payload.first.size()), payload.first.data(), payload.first.size());
  }
  if (!payload.second.empty()) {
    std::memcpy(packet.Append(payload.second.size()), payload.second.data(), payload.second.size());
  }
  wire::FillTcpChecksum(tuple.local.addr, tuple.remote.addr, packet.bytes());
  ++counters.tcp_segments_tx;
  counters.tcp_bytes_tx += payload.size();
  if ((header.flags & wire::tcp_flags::kRst) != 0) ++counters.tcp_resets_tx;
  return ip.SendIpv4(tuple.remote.addr, ip::kProtoTcp, std::move(packet), now);
}

}  // namespace tcpaas::tcp
