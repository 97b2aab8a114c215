#include "stack/host/host.h"

#include <utility>

#include "stack/wire/ethernet.h"

namespace tcpaas {
namespace {

// Extra room in the receive buffer beyond MTU + link header. A frame that reaches into it is
// oversize, so a frame the device truncated to the buffer's length is never mistaken for a
// whole one.
constexpr size_t kRxSlack = 64;

size_t LinkHeaderSize(link::LinkLayer layer) {
  return layer == link::LinkLayer::kEthernet ? wire::kEthernetHeaderSize : 0;
}

}  // namespace

Host::Host(const HostConfig& config)
    : config_(config),
      ip_(config_.interface, &counters_, this),
      tcp_(config_.tcp, &ip_, &counters_),
      tx_queue_(config_.tx_queue_limit),
      rx_frame_(config_.interface.mtu + LinkHeaderSize(config_.interface.link_layer) + kRxSlack) {
  ip_.RegisterTransport(ip::kProtoTcp, &tcp_);
}

void Host::Start(Instant now) { ip_.Start(now); }

void Host::OnFrame(absl::Span<const uint8_t> frame, Instant now) {
  ++counters_.link_frames_rx;
  counters_.link_bytes_rx += frame.size();
  if (frame.size() > config_.interface.mtu + LinkHeaderSize(config_.interface.link_layer)) {
    counters_.Drop(DropReason::kLinkRxOversize);
    return;
  }
  ip_.OnFrame(frame, now);
}

void Host::Poll(Instant now) {
  ip_.Poll(now);
  tcp_.Poll(now);
}

Instant Host::NextDeadline() const { return Earliest(ip_.NextDeadline(), tcp_.NextDeadline()); }

absl::StatusOr<size_t> Host::ReceiveFrom(link::Device& device, Instant now, size_t max_frames) {
  size_t frames = 0;
  while (frames < max_frames) {
    absl::StatusOr<size_t> length = device.Receive(absl::MakeSpan(rx_frame_), now);
    if (!length.ok()) return length.status();
    if (*length == 0) break;
    ++frames;
    OnFrame(absl::MakeConstSpan(rx_frame_.data(), *length), now);
  }
  return frames;
}

absl::Status Host::FlushTo(link::Device& device, Instant now) {
  absl::Status first_error;
  while (!tx_queue_.empty()) {
    absl::Status sent = device.Transmit(tx_queue_.front().bytes(), now);
    // device.h: kUnavailable means "full, try later"; the frame keeps its place.
    if (absl::IsUnavailable(sent)) break;
    PacketBuffer frame = tx_queue_.PopFront();
    if (sent.ok()) {
      ++counters_.link_frames_tx;
      counters_.link_bytes_tx += frame.size();
    } else {
      counters_.Drop(DropReason::kLinkTxError);
      if (first_error.ok()) first_error = std::move(sent);
    }
    ip_.Recycle(std::move(frame));
  }
  return first_error;
}

void Host::OutputFrame(PacketBuffer frame) {
  if (!tx_queue_.Push(frame)) {
    counters_.Drop(DropReason::kLinkTxError);
    ip_.Recycle(std::move(frame));
  }
}

}  // namespace tcpaas
