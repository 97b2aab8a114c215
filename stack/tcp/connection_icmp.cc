// ICMP errors about segments a connection sent (RFC 1122 §4.2.3.9, RFC 5927, RFC 1191).
#include "stack/tcp/connection.h"

namespace tcpaas::tcp {
namespace {

constexpr uint8_t kIcmpDestinationUnreachable = 3;

// Destination unreachable (RFC 792 type 3) other than fragmentation needed, however the IP
// layer classified it (it reports an ARP resolution failure as host unreachable too).
bool IsDestinationUnreachable(const ip::IcmpError& error) {
  switch (error.kind) {
    case ip::IcmpErrorKind::kNetUnreachable:
    case ip::IcmpErrorKind::kHostUnreachable:
    case ip::IcmpErrorKind::kProtocolUnreachable:
    case ip::IcmpErrorKind::kPortUnreachable:
    case ip::IcmpErrorKind::kAdminProhibited:
      return true;
    case ip::IcmpErrorKind::kOther:
      return error.type == kIcmpDestinationUnreachable;
    default:
      return false;
  }
}

// Whether Linux counts the error as fatal (icmp_err_convert[].fatal): every destination
// unreachable but net and host unreachable (for any TOS) and source route failed, which
// RFC 1122 §4.2.3.9 lists as soft. Net and host "unknown" (codes 6, 7) are fatal.
bool IsFatalUnreachable(const ip::IcmpError& error) {
  switch (error.kind) {
    case ip::IcmpErrorKind::kProtocolUnreachable:
    case ip::IcmpErrorKind::kPortUnreachable:
    case ip::IcmpErrorKind::kAdminProhibited:
      return true;
    default:
      break;
  }
  switch (error.code) {
    case 0:   // net unreachable
    case 1:   // host unreachable
    case 5:   // source route failed
    case 11:  // net unreachable for TOS
    case 12:  // host unreachable for TOS
      return false;
    default:
      return true;
  }
}

}  // namespace

void Connection::OnIcmpError(const ip::IcmpError& error, SeqNum quoted_seq, Instant now) {
  // RFC 5927 §4.1: believe only errors quoting a sequence number that is in flight.
  if (!(snd_una_ <= quoted_seq && quoted_seq < snd_max_)) {
    ctx_->counters->Drop(DropReason::kIcmpUnhandled);
    return;
  }
  if (error.kind == ip::IcmpErrorKind::kFragmentationNeeded) {
    // RFC 1191 §6.4: the error is about a segment in flight, so the IP layer may lower the
    // path MTU; use the smaller MSS and send again what was sent too large. This is not
    // congestion: cwnd stays.
    ctx_->ip->LowerPathMtu(error, now);
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
  if (IsDestinationUnreachable(error)) {
    const CloseReason reason = error.kind == ip::IcmpErrorKind::kPortUnreachable
                                   ? CloseReason::kRefused
                                   : CloseReason::kUnreachable;
    // An active open ends at the first destination unreachable, net and host unreachable
    // included (RFC 1122 §4.2.3.9 allows it; Linux tcp_v4_err does it in SYN-SENT and in the
    // SYN-RECEIVED of a simultaneous open). A silent neighbour thus fails the connect once
    // ARP gives up, not after every SYN retransmission.
    if (state_ == TcpState::kSynSent || (state_ == TcpState::kSynReceived && !passive_)) {
      EnterClosed(reason);
      return;
    }
    // A passive child not yet accepted goes away only on a hard error, as Linux drops a
    // request socket (tcp_req_err) only for fatal codes; net and host unreachable leave
    // its SYN-ACK retransmissions running.
    if (state_ == TcpState::kSynReceived && IsFatalUnreachable(error)) {
      EnterClosed(reason);
      return;
    }
    // Synchronized connections treat every unreachable as soft: RFC 5927 §4.1 advises
    // against resetting established connections on ICMP alone (Linux does the same
    // unless IP_RECVERR is set).
  }
  // Soft error (RFC 1122 §4.2.3.9): remembered; a later timeout reports kUnreachable.
  soft_error_ = true;
}

}  // namespace tcpaas::tcp
