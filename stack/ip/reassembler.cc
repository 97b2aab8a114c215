#include "stack/ip/reassembler.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <utility>

namespace tcpaas::ip {
namespace {

using wire::kIpv4MinHeaderSize;

// RFC 791 §3.1: total length is a 16-bit field, so no datagram carries more payload than
// this behind the smallest header.
constexpr size_t kMaxDatagramSize = 65535;
constexpr size_t kMaxPayload = kMaxDatagramSize - kIpv4MinHeaderSize;

}  // namespace

Reassembler::Reassembler(const ReassemblyConfig& config, StackCounters* counters)
    : config_(config), counters_(counters) {}

std::optional<std::vector<uint8_t>> Reassembler::Add(const wire::Ipv4View& fragment, Instant now) {
  const absl::Span<const uint8_t> payload = fragment.payload();
  const size_t start = fragment.fragment_offset();
  const size_t end = start + payload.size();
  const bool last = !fragment.more_fragments();
  // RFC 791 §3.2: every fragment but the last carries a multiple of 8 octets; an empty
  // fragment adds nothing and only costs state.
  if (payload.empty() || (!last && payload.size() % 8 != 0)) {
    counters_->Drop(DropReason::kIpv4FragmentMalformed);
    return std::nullopt;
  }

  const Key key{fragment.src(), fragment.dst(), fragment.id(), fragment.protocol()};
  auto it = partials_.find(key);
  if (end > kMaxPayload) {  // would reassemble to more than 65535 bytes
    if (it != partials_.end()) {
      Discard(it, DropReason::kIpv4FragmentMalformed, 1);
    } else {
      counters_->Drop(DropReason::kIpv4FragmentMalformed);
    }
    return std::nullopt;
  }

  if (it == partials_.end()) {
    if (partials_.size() >= config_.max_datagrams || bytes_ + end > config_.max_bytes) {
      counters_->Drop(DropReason::kIpv4FragmentLimit);
      return std::nullopt;
    }
    it = partials_.emplace(key, Partial{}).first;
    Partial& fresh = it->second;
    // RFC 791 §3.2 sets the timer when the first fragment of a datagram arrives.
    fresh.timer = timers_.emplace(now + config_.timeout, key);
    fresh.data.resize(kIpv4MinHeaderSize);
  }
  Partial& partial = it->second;

  // The last fragment fixes the length; everything else must fit inside it.
  const bool inconsistent = last ? ((partial.total.has_value() && *partial.total != end) ||
                                    (!partial.pieces.empty() && partial.pieces.back().end > end))
                                 : (partial.total.has_value() && end > *partial.total);
  auto next = std::lower_bound(partial.pieces.begin(), partial.pieces.end(), start,
                               [](const Piece& p, size_t s) { return p.start < s; });
  if (!inconsistent && next != partial.pieces.end() && next->start == start && next->end == end) {
    counters_->Drop(DropReason::kIpv4FragmentDuplicate);
    return std::nullopt;
  }
  const bool overlaps = (next != partial.pieces.end() && next->start < end) ||
                        (next != partial.pieces.begin() && std::prev(next)->end > start);
  if (inconsistent || overlaps) {
    // RFC 5722 §4 (written for IPv6, applied here too): overlapping fragments make the
    // whole datagram suspect, so none of it is delivered.
    Discard(it, DropReason::kIpv4FragmentMalformed, 1);
    return std::nullopt;
  }

  const size_t growth = end > partial.extent() ? end - partial.extent() : 0;
  if (bytes_ + growth > config_.max_bytes) {
    if (partial.pieces.empty()) {  // created just now for this fragment
      timers_.erase(partial.timer);
      partials_.erase(it);
    }
    counters_->Drop(DropReason::kIpv4FragmentLimit);
    return std::nullopt;
  }
  if (growth > 0) {
    partial.data.resize(kIpv4MinHeaderSize + end);
    bytes_ += growth;
  }
  std::memcpy(partial.data.data() + kIpv4MinHeaderSize + start, payload.data(), payload.size());
  partial.pieces.insert(next, Piece{start, end});
  partial.received += payload.size();
  if (last) partial.total = end;
  if (start == 0) {
    const absl::Span<const uint8_t> header = fragment.header();
    std::memcpy(partial.first_header.data(), header.data(), header.size());
    partial.first_header_size = header.size();
    partial.tos = fragment.tos();
    partial.ttl = fragment.ttl();
  }

  // The pieces are disjoint and inside [0, total), so holding `total` bytes means no hole.
  if (!partial.total.has_value() || partial.received != *partial.total) return std::nullopt;
  if (partial.first_header_size + *partial.total > kMaxDatagramSize) {
    Discard(it, DropReason::kIpv4FragmentMalformed, 0);
    return std::nullopt;
  }
  return Complete(it, key);
}

std::vector<uint8_t> Reassembler::Complete(PartialMap::iterator it, const Key& key) {
  Partial& partial = it->second;
  wire::Ipv4Header header;
  header.tos = partial.tos;
  header.total_length = static_cast<uint16_t>(partial.data.size());
  header.id = key.id;
  header.dont_fragment = false;
  header.ttl = partial.ttl;
  header.protocol = key.protocol;
  header.src = key.src;
  header.dst = key.dst;
  header.WriteTo(partial.data.data());

  std::vector<uint8_t> datagram = std::move(partial.data);
  bytes_ -= *partial.total;
  timers_.erase(partial.timer);
  partials_.erase(it);
  ++counters_->ipv4_fragments_reassembled;
  return datagram;
}

void Reassembler::Discard(PartialMap::iterator it, DropReason reason, size_t extra) {
  Partial& partial = it->second;
  for (size_t i = 0; i < partial.pieces.size() + extra; ++i) counters_->Drop(reason);
  bytes_ -= partial.extent();
  timers_.erase(partial.timer);
  partials_.erase(it);
}

void Reassembler::Poll(Instant now, std::vector<TimedOut>* timed_out) {
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const Key key = timers_.begin()->second;
    auto it = partials_.find(key);
    if (it == partials_.end()) {  // cannot happen: every partial owns its timer
      timers_.erase(timers_.begin());
      continue;
    }
    const Partial& partial = it->second;
    if (partial.first_header_size > 0) {
      TimedOut& out = timed_out->emplace_back();
      out.src = key.src;
      out.dst = key.dst;
      out.protocol = key.protocol;
      out.header_size = partial.first_header_size;
      std::memcpy(out.quote.data(), partial.first_header.data(), partial.first_header_size);
      const size_t data_bytes = std::min<size_t>(8, partial.extent());
      std::memcpy(out.quote.data() + partial.first_header_size,
                  partial.data.data() + kIpv4MinHeaderSize, data_bytes);
      out.quote_size = partial.first_header_size + data_bytes;
    }
    Discard(it, DropReason::kIpv4FragmentTimeout, 0);
  }
}

Instant Reassembler::NextDeadline() const {
  return timers_.empty() ? Instant::Never() : timers_.begin()->first;
}

}  // namespace tcpaas::ip
