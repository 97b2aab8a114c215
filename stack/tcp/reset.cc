#include "stack/tcp/reset.h"

#include "stack/tcp/segment_writer.h"

namespace tcpaas::tcp {

void SendResetFor(const Segment& seg, ip::IpSender& ip, StackCounters& counters, Instant now) {
  if (seg.rst()) return;  // RFC 9293 §3.10.7.1: an incoming RST is discarded
  wire::TcpHeader rst;
  if (seg.has_ack()) {
    rst.seq = seg.ack;
    rst.flags = wire::tcp_flags::kRst;
  } else {
    rst.seq = SeqNum(0);
    rst.ack = seg.end();
    rst.flags = wire::tcp_flags::kRst | wire::tcp_flags::kAck;
  }
  (void)WriteSegment(ip, counters, seg.tuple, rst, RingSlices{}, now);
}

}  // namespace tcpaas::tcp
