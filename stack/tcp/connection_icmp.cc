// ICMP errors about segments a connection sent (RFC 1122 §4.2.3.9, RFC 5927, RFC 1191).
#include "stack/tcp/connection.h"

namespace tcpaas::tcp {

void Connection::OnIcmpError(const ip::IcmpError& error, SeqNum quoted_seq, Instant now) {
  // RFC 5927 §4.1: believe only errors quoting a sequence number that is in flight.
  if (!(snd_una_ <= quoted_seq && quoted_seq < snd_max_)) {
    ctx_->counters->Drop(DropReason::kIcmpUnhandled);
    return;
  }
  switch (error.kind) {
    case ip::IcmpErrorKind::kFragmentationNeeded: {
      // RFC 1191 §6.4: the IP layer lowered the path MTU; use the smaller MSS and send
      // again what was sent too large. This is not congestion: cwnd stays.
      const uint16_t mss =
          SendMss(peer_mss_, ctx_->ip->MaxPayload(tuple_.remote.addr), options_.mss_clamp);
      if (mss >= snd_mss_) return;
      snd_mss_ = mss;
      if (Synchronized() && snd_max_ > snd_una_) {
        snd_nxt_ = snd_una_;
        rtt_timing_ = false;
        Output(now);
      }
      return;
    }
    case ip::IcmpErrorKind::kPortUnreachable:
    case ip::IcmpErrorKind::kProtocolUnreachable:
    case ip::IcmpErrorKind::kAdminProhibited:
      // RFC 1122 §4.2.3.9: port and protocol unreachable are hard errors (and a filter's
      // explicit "prohibited" as well). While connecting they end the attempt at once; on
      // a synchronized connection they are treated as soft (RFC 5927 §4.1 advises against
      // resetting established connections on ICMP alone).
      if (state_ == TcpState::kSynSent) {
        EnterClosed(error.kind == ip::IcmpErrorKind::kPortUnreachable ? CloseReason::kRefused
                                                                      : CloseReason::kUnreachable);
        return;
      }
      break;
    default:
      break;
  }
  // Soft error (RFC 1122 §4.2.3.9), e.g. host or net unreachable, which the IP layer also
  // reports when ARP resolution fails: remembered; a later timeout reports kUnreachable.
  soft_error_ = true;
}

}  // namespace tcpaas::tcp
