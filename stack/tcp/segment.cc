#include "stack/tcp/segment.h"

namespace tcpaas::tcp {

ParsedSegment ParseSegment(const ip::Ipv4PacketInfo& info, absl::Span<const uint8_t> bytes) {
  ParsedSegment result;
  const std::optional<wire::TcpHeaderView> view = wire::TcpHeaderView::Parse(bytes);
  if (!view) {
    result.drop_reason = DropReason::kTcpMalformed;
    return result;
  }
  // RFC 9293 §3.1: the checksum covers the pseudo-header, header and data.
  if (!wire::TcpChecksumOk(info.src, info.dst, bytes)) {
    result.drop_reason = DropReason::kTcpBadChecksum;
    return result;
  }
  Segment seg;
  if (!wire::ParseTcpOptions(view->options(), &seg.options)) {
    result.drop_reason = DropReason::kTcpBadOptions;
    return result;
  }
  seg.tuple = FourTuple{.local = Endpoint{info.dst, view->dst_port()},
                        .remote = Endpoint{info.src, view->src_port()}};
  seg.seq = view->seq();
  seg.ack = view->ack();
  seg.flags = view->flags();
  seg.window = view->window();
  seg.payload = view->payload();
  result.segment = seg;
  return result;
}

}  // namespace tcpaas::tcp
