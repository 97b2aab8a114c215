#include "stack/tcp/options_negotiation.h"

#include <algorithm>

namespace tcpaas::tcp {
namespace {

constexpr size_t kTcpHeaderBytes = wire::kTcpMinHeaderSize;
constexpr uint32_t kMaxUnscaledWindow = 65535;

}  // namespace

uint16_t LocalMss(size_t max_ip_payload, uint16_t clamp) {
  size_t mss = max_ip_payload > kTcpHeaderBytes ? max_ip_payload - kTcpHeaderBytes : 0;
  mss = std::min<size_t>(mss, UINT16_MAX);
  if (clamp != 0) mss = std::min<size_t>(mss, clamp);
  return static_cast<uint16_t>(std::max<size_t>(mss, kMinSendMss));
}

uint8_t ReceiveWindowShift(size_t buffer_bytes) {
  uint8_t shift = 0;
  while (shift < kMaxWindowShift && buffer_bytes > (size_t{kMaxUnscaledWindow} << shift)) {
    ++shift;
  }
  return shift;
}

SynOffer ActiveOffer(const ConnectionOptions& options, uint16_t local_mss, uint8_t shift) {
  return SynOffer{.mss = local_mss,
                  .window_scale = options.window_scale,
                  .window_shift = shift,
                  .timestamps = options.timestamps,
                  .sack_permitted = options.sack};
}

SynOffer PassiveOffer(const ConnectionOptions& options, uint16_t local_mss, uint8_t shift,
                      const wire::TcpOptions& syn) {
  SynOffer offer = ActiveOffer(options, local_mss, shift);
  offer.window_scale = offer.window_scale && syn.window_scale.has_value();
  offer.timestamps = offer.timestamps && syn.timestamps.has_value();
  offer.sack_permitted = offer.sack_permitted && syn.sack_permitted;
  return offer;
}

wire::TcpOptions SynOptions(const SynOffer& offer, uint32_t ts_val, uint32_t ts_ecr) {
  wire::TcpOptions o;
  o.mss = offer.mss;
  if (offer.window_scale) o.window_scale = offer.window_shift;
  o.sack_permitted = offer.sack_permitted;
  if (offer.timestamps) o.timestamps = wire::TcpTimestamps{ts_val, ts_ecr};
  return o;
}

Negotiated Negotiate(const SynOffer& ours, const wire::TcpOptions& peer) {
  Negotiated n;
  // RFC 9293 §3.7.1: no MSS option means 536. A zero MSS is nonsense; treat it the same.
  if (peer.mss.has_value() && *peer.mss != 0) n.peer_mss = *peer.mss;
  // RFC 7323 §2.2: scaling is on only if both SYNs carried the option; §2.3: a shift above
  // 14 is used as 14.
  if (ours.window_scale && peer.window_scale.has_value()) {
    n.window_scale = true;
    n.snd_shift = std::min(*peer.window_scale, kMaxWindowShift);
    n.rcv_shift = ours.window_shift;
  }
  // RFC 7323 §3.2: timestamps only if both SYNs carried them.
  n.timestamps = ours.timestamps && peer.timestamps.has_value();
  // RFC 2018 §2.
  n.sack = ours.sack_permitted && peer.sack_permitted;
  return n;
}

uint16_t SendMss(uint16_t peer_mss, size_t max_ip_payload, uint16_t clamp) {
  const uint16_t path = LocalMss(max_ip_payload, clamp);
  return std::max(std::min(peer_mss, path), kMinSendMss);
}

}  // namespace tcpaas::tcp
