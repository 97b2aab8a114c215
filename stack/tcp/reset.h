// Replies to segments that have no connection (RFC 9293 §3.10.7.1, "If the state is
// CLOSED"): a RST that the sender will accept, and never a RST in reply to a RST.
#ifndef TCPAAS_STACK_TCP_RESET_H_
#define TCPAAS_STACK_TCP_RESET_H_

#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/ip/transport.h"
#include "stack/tcp/segment.h"

namespace tcpaas::tcp {

// Sends the RST that answers `seg` (none if `seg` is itself a RST):
//  - ACK off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
//  - ACK on:  <SEQ=SEG.ACK><CTL=RST>
void SendResetFor(const Segment& seg, ip::IpSender& ip, StackCounters& counters, Instant now);

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_RESET_H_
