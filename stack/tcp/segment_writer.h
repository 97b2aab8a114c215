// Builds one outgoing segment straight into a packet buffer from the IP layer (header and
// options written in place, payload copied once from the send buffer's slices), fills the
// checksum and hands it to IP. Counts what leaves in StackCounters.
#ifndef TCPAAS_STACK_TCP_SEGMENT_WRITER_H_
#define TCPAAS_STACK_TCP_SEGMENT_WRITER_H_

#include "absl/status/status.h"
#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/ip/transport.h"
#include "stack/tcp/send_buffer.h"
#include "stack/wire/addr.h"
#include "stack/wire/tcp.h"

namespace tcpaas::tcp {

// Sends `header` (ports from `tuple`) followed by `payload` to tuple.remote. Errors from
// the IP layer are returned (that layer has counted them); a packet too small for the
// segment is counted as kTcpTxError.
absl::Status WriteSegment(ip::IpSender& ip, StackCounters& counters, const FourTuple& tuple,
                          wire::TcpHeader header, const RingSlices& payload, Instant now);

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_SEGMENT_WRITER_H_
