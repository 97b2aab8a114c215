// IPv4 fragment reassembly (RFC 791 §3.2, RFC 815). Partial datagrams are keyed by
// (source, destination, protocol, identification) and hold their received pieces in a sorted
// list. Memory is bounded in bytes and in datagrams; a partial datagram is only ever dropped
// by its timeout or because it turned out to be malformed, never to make room.
//
// Hostile input is dropped and counted, once per fragment, so that every fragment received
// is either part of a delivered datagram or counted under exactly one DropReason:
//   kIpv4FragmentMalformed  bad length, overlap (RFC 5722 spirit: the whole datagram goes),
//                           inconsistent last fragment, or more than 65535 bytes in all;
//   kIpv4FragmentDuplicate  an exact copy of a piece already held (RFC 8200 §4.5 allows
//                           treating these as harmless);
//   kIpv4FragmentLimit      no room: too many datagrams or bytes in progress;
//   kIpv4FragmentTimeout    the datagram did not complete in time.
#ifndef TCPAAS_STACK_IP_REASSEMBLER_H_
#define TCPAAS_STACK_IP_REASSEMBLER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"
#include "stack/wire/ipv4.h"

namespace tcpaas::ip {

struct ReassemblyConfig {
  size_t max_bytes = 1 << 20;  // payload bytes held by all partial datagrams
  size_t max_datagrams = 64;   // partial datagrams at once
  Duration timeout = Duration::Seconds(30);
};

class Reassembler {
 public:
  // `counters` must outlive the reassembler.
  Reassembler(const ReassemblyConfig& config, StackCounters* counters);

  // Takes one fragment (a datagram with MF set or a non-zero offset) that passed the IPv4
  // header checks. When it completes its datagram, returns the whole datagram: an
  // option-less IPv4 header made from fragment zero's fields, then the payload.
  std::optional<std::vector<uint8_t>> Add(const wire::Ipv4View& fragment, Instant now);

  // A datagram dropped by timeout after its fragment zero arrived: what an ICMP time
  // exceeded message quotes (RFC 792: the header and the first 64 bits of data).
  struct TimedOut {
    Ipv4Address src;
    Ipv4Address dst;
    uint8_t protocol = 0;
    std::array<uint8_t, wire::kIpv4MaxHeaderSize + 8> quote{};
    size_t quote_size = 0;
    size_t header_size = 0;  // of the quoted header; payload bytes follow it in `quote`
  };
  // Drops the datagrams whose time is up; those that had fragment zero go to `timed_out`.
  void Poll(Instant now, std::vector<TimedOut>* timed_out);
  Instant NextDeadline() const;

  size_t datagrams() const { return partials_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  struct Key {
    Ipv4Address src;
    Ipv4Address dst;
    uint16_t id = 0;
    uint8_t protocol = 0;
    bool operator==(const Key&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.src, k.dst, k.id, k.protocol);
    }
  };
  struct Piece {
    size_t start;  // payload offsets, [start, end)
    size_t end;
  };
  using TimerMap = std::multimap<Instant, Key>;
  struct Partial {
    TimerMap::iterator timer;
    // The IPv4 header's room (kIpv4MinHeaderSize bytes) followed by the payload received so
    // far, sized to the furthest byte seen.
    std::vector<uint8_t> data;
    std::vector<Piece> pieces;    // sorted by start, disjoint
    size_t received = 0;          // payload bytes held
    std::optional<size_t> total;  // payload length, once the last fragment arrived
    // Fragment zero's header, kept for the reassembled header and for ICMP time exceeded.
    std::array<uint8_t, wire::kIpv4MaxHeaderSize> first_header{};
    size_t first_header_size = 0;  // 0 until fragment zero arrives
    uint8_t tos = 0;
    uint8_t ttl = 0;

    size_t extent() const { return data.size() - wire::kIpv4MinHeaderSize; }
  };
  using PartialMap = absl::flat_hash_map<Key, Partial>;

  // Drops a whole partial datagram, counting each piece it held plus `extra` fragments.
  void Discard(PartialMap::iterator it, DropReason reason, size_t extra);
  std::vector<uint8_t> Complete(PartialMap::iterator it, const Key& key);

  ReassemblyConfig config_;
  StackCounters* counters_;
  PartialMap partials_;
  TimerMap timers_;
  size_t bytes_ = 0;
};

}  // namespace tcpaas::ip

#endif  // TCPAAS_STACK_IP_REASSEMBLER_H_
