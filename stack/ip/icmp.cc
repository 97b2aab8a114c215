// IpLayer, ICMP (RFC 792, RFC 1122 §3.2.2): echo, errors received for the transports and the
// path MTU, and errors sent about datagrams we could not take.
#include <algorithm>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "stack/ip/icmp_error.h"
#include "stack/ip/ip_layer_impl.h"

namespace tcpaas::ip {
namespace {

// RFC 1812 §4.3.2.3: an error quotes as much of the offending datagram as fits in a
// 576-byte datagram; RFC 1122 §3.2.2 requires at least the header and 8 data octets.
constexpr size_t kMaxIcmpErrorDatagram = 576;

uint32_t EchoWord(uint16_t id, uint16_t seq) { return (uint32_t{id} << 16) | seq; }

}  // namespace

void IpLayer::Impl::OnIcmp(const wire::Ipv4View& ip, bool broadcast, Instant now) {
  std::optional<wire::IcmpView> icmp = wire::IcmpView::Parse(ip.payload());
  if (!icmp.has_value()) {
    counters_->Drop(DropReason::kIcmpMalformed);
    return;
  }
  // RFC 1122 §3.2.2: the checksum covers the whole message; bad ones are discarded.
  if (!icmp->checksum_ok()) {
    counters_->Drop(DropReason::kIcmpBadChecksum);
    return;
  }
  switch (icmp->type()) {
    case wire::kIcmpEchoRequest:
      // RFC 1122 §3.2.2.6: an echo request to a broadcast address MAY be silently
      // discarded; Linux does so by default (icmp_echo_ignore_broadcasts), and so do we.
      if (broadcast) {
        counters_->Drop(DropReason::kIcmpUnhandled);
        return;
      }
      SendEchoReply(ip, *icmp, now);
      return;
    case wire::kIcmpEchoReply:
      if (!echo_reply_handler_) {
        counters_->Drop(DropReason::kIcmpUnhandled);
        return;
      }
      echo_reply_handler_(EchoReply{ip.src(), icmp->echo_id(), icmp->echo_seq(), icmp->body()},
                          now);
      return;
    case wire::kIcmpDestUnreachable:
    case wire::kIcmpTimeExceeded:
    case wire::kIcmpParameterProblem:
      OnIcmpErrorMessage(*icmp, now);
      return;
    default:
      // Source quench (deprecated, RFC 6633), redirects (we have one route), timestamps...
      counters_->Drop(DropReason::kIcmpUnhandled);
      return;
  }
}

void IpLayer::Impl::OnIcmpErrorMessage(const wire::IcmpView& icmp, Instant now) {
  ++counters_->icmp_errors_rx;
  // RFC 1122 §3.2.2: the quote identifies the flow; it must be a datagram we sent, with
  // enough of its transport header (ports, and for TCP the sequence number) to find it.
  std::optional<QuotedDatagram> quoted = ParseQuotedDatagram(icmp.body());
  if (!quoted.has_value() || quoted->src != local_address()) {
    counters_->Drop(DropReason::kIcmpMalformed);
    return;
  }
  const IcmpErrorKind kind = ClassifyIcmpError(icmp.type(), icmp.code());
  // A fragmentation-needed error lowers the path MTU only once the transport has matched it
  // to a flow in flight (IpSender::LowerPathMtu).
  // RFC 1122 §3.2.2: pass the error up to the transport protocol of the quoted datagram.
  TransportHandler* handler = transports_[quoted->protocol];
  if (handler == nullptr) {
    counters_->Drop(DropReason::kIcmpUnhandled);
    return;
  }
  IcmpError error;
  error.kind = kind;
  error.type = icmp.type();
  error.code = icmp.code();
  error.next_hop_mtu = kind == IcmpErrorKind::kFragmentationNeeded ? icmp.next_hop_mtu() : 0;
  error.original_total_length = quoted->total_length;
  error.original_src = quoted->src;
  error.original_dst = quoted->dst;
  error.protocol = quoted->protocol;
  error.original_transport = quoted->transport;
  handler->OnIcmpError(error, now);
}

void IpLayer::Impl::SendEchoReply(const wire::Ipv4View& ip, const wire::IcmpView& request,
                                  Instant now) {
  // RFC 792: the reply carries the request's identifier, sequence number and data, from the
  // address the request was sent to. RFC 1122 §3.2.2.6 would have us update Record Route
  // and Timestamp options; we send none.
  const absl::Span<const uint8_t> data = request.body();
  const size_t message_size = wire::kIcmpHeaderSize + data.size();
  if (wire::kIpv4MinHeaderSize + message_size > config_.mtu) {
    // A reassembled request too large to answer unfragmented.
    counters_->Drop(DropReason::kIpv4TooBig);
    return;
  }
  PacketBuffer reply = pool_.Get(kDefaultHeadroom);
  wire::WriteIcmp(reply.Append(message_size), wire::kIcmpEchoReply, 0,
                  EchoWord(request.echo_id(), request.echo_seq()), data);
  if (Transmit(ip.src(), kProtoIcmp, std::move(reply), now).ok()) {
    ++counters_->icmp_echo_replies_tx;
  }
}

absl::Status IpLayer::Impl::SendEchoRequest(Ipv4Address dst, uint16_t id, uint16_t seq,
                                            absl::Span<const uint8_t> payload, Instant now) {
  const size_t message_size = wire::kIcmpHeaderSize + payload.size();
  if (wire::kIpv4MinHeaderSize + message_size > config_.mtu) {
    counters_->Drop(DropReason::kIpv4TooBig);
    return absl::InvalidArgumentError(absl::StrFormat(
        "echo request of %d bytes exceeds the MTU of %d", message_size, config_.mtu));
  }
  PacketBuffer request = pool_.Get(kDefaultHeadroom);
  wire::WriteIcmp(request.Append(message_size), wire::kIcmpEchoRequest, 0, EchoWord(id, seq),
                  payload);
  return Transmit(dst, kProtoIcmp, std::move(request), now);
}

void IpLayer::Impl::SendIcmpError(const Offending& offending, uint8_t type, uint8_t code,
                                  uint32_t rest, Instant now) {
  // RFC 1122 §3.2.2: an ICMP error MUST NOT be sent about an ICMP error, a datagram sent to
  // an IP or link-layer broadcast or multicast address, a non-initial fragment, or a
  // datagram whose source is not a single host.
  if (offending.broadcast || offending.dst.is_multicast() || router_.IsBroadcast(offending.dst)) {
    return;
  }
  if (!offending.first_fragment) return;
  if (offending.src.is_any() || !router_.IsValidSource(offending.src)) return;
  if (offending.protocol == kProtoIcmp &&
      (offending.payload.empty() || IsIcmpErrorType(offending.payload[0]))) {
    return;
  }
  // RFC 1812 §4.3.2.8: limit the rate of error messages.
  if (!icmp_error_limiter_.Allow(now)) {
    counters_->Drop(DropReason::kIcmpRateLimited);
    return;
  }
  const size_t room = std::min(kMaxIcmpErrorDatagram, config_.mtu);
  const size_t overhead = wire::kIpv4MinHeaderSize + wire::kIcmpHeaderSize;
  if (room <= overhead) return;
  const absl::Span<const uint8_t> quote =
      offending.datagram.first(std::min(offending.datagram.size(), room - overhead));
  PacketBuffer message = pool_.Get(kDefaultHeadroom);
  wire::WriteIcmp(message.Append(wire::kIcmpHeaderSize + quote.size()), type, code, rest, quote);
  if (Transmit(offending.src, kProtoIcmp, std::move(message), now).ok()) {
    ++counters_->icmp_errors_tx;
  }
}

void IpLayer::Impl::SendReassemblyTimeExceeded(const Reassembler::TimedOut& timed_out,
                                               Instant now) {
  // RFC 792 (time exceeded, code 1) and RFC 1122 §3.3.2: sent only when fragment zero
  // arrived, which is the only kind of datagram the reassembler reports here.
  const absl::Span<const uint8_t> quote(timed_out.quote.data(), timed_out.quote_size);
  Offending offending;
  offending.src = timed_out.src;
  offending.dst = timed_out.dst;
  offending.protocol = timed_out.protocol;
  offending.first_fragment = true;
  offending.payload = quote.subspan(timed_out.header_size);
  offending.datagram = quote;
  SendIcmpError(offending, wire::kIcmpTimeExceeded, /*code=*/1, /*rest=*/0, now);
}

}  // namespace tcpaas::ip
