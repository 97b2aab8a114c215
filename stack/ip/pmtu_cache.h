// Path MTU estimates learned from ICMP fragmentation-needed messages (RFC 1191), one per
// destination, bounded in number and each forgotten after a fixed time (RFC 1191 §6.3).
#ifndef TCPAAS_STACK_IP_PMTU_CACHE_H_
#define TCPAAS_STACK_IP_PMTU_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"

namespace tcpaas::ip {

// RFC 791 §3.2: every internet module must be able to forward a datagram of 68 octets.
inline constexpr size_t kMinIpv4Mtu = 68;

// RFC 1191 §5 and §7: the plateau below `total_length`, for routers that report MTU 0.
size_t PmtuPlateauBelow(size_t total_length);

class PmtuCache {
 public:
  PmtuCache(size_t link_mtu, size_t capacity, Duration expiry)
      : link_mtu_(link_mtu), capacity_(capacity), expiry_(expiry) {}

  // The current estimate for `dst`: a learned value, or the link MTU.
  size_t PathMtu(Ipv4Address dst) const;

  // Applies a fragmentation-needed message about a datagram to `dst` (RFC 1191 §6.1).
  // `next_hop_mtu` is the router's value (0 from routers older than RFC 1191, then the
  // plateau below `quoted_total_length` is used). Values below 68 or not below the current
  // estimate are ignored. Returns true when the estimate was lowered.
  bool OnFragmentationNeeded(Ipv4Address dst, uint16_t next_hop_mtu, uint16_t quoted_total_length,
                             Instant now);

  // Forgets estimates older than the expiry (RFC 1191 §6.3: go back to the first-hop MTU).
  void Poll(Instant now);
  Instant NextDeadline() const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    size_t mtu = 0;
    Instant expires;
  };

  void Erase(Ipv4Address dst);

  size_t link_mtu_;
  size_t capacity_;
  Duration expiry_;
  absl::flat_hash_map<Ipv4Address, Entry> entries_;
  // Every entry by expiry; the first is also the oldest, evicted when the cache is full.
  std::set<std::pair<Instant, Ipv4Address>> by_expiry_;
};

}  // namespace tcpaas::ip

#endif  // TCPAAS_STACK_IP_PMTU_CACHE_H_
