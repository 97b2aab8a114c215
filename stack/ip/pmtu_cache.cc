#include "stack/ip/pmtu_cache.h"

#include <array>

namespace tcpaas::ip {
namespace {

// RFC 1191 §7, table 7-1: common MTUs, largest first.
constexpr std::array<size_t, 11> kPlateaus = {65535, 32000, 17914, 8166, 4352, 2002,
                                              1492,  1006,  508,   296,  68};

}  // namespace

size_t PmtuPlateauBelow(size_t total_length) {
  for (size_t plateau : kPlateaus) {
    if (plateau < total_length) return plateau;
  }
  return kMinIpv4Mtu;
}

size_t PmtuCache::PathMtu(Ipv4Address dst) const {
  auto it = entries_.find(dst);
  return it == entries_.end() ? link_mtu_ : it->second.mtu;
}

bool PmtuCache::OnFragmentationNeeded(Ipv4Address dst, uint16_t next_hop_mtu,
                                      uint16_t quoted_total_length, Instant now) {
  // RFC 1191 §5: a zero MTU field comes from an old router; estimate with the plateau
  // below the length of the datagram it refused.
  const size_t mtu = next_hop_mtu != 0 ? next_hop_mtu : PmtuPlateauBelow(quoted_total_length);
  // RFC 1191 §6.1: never below 68; an increase is not something this message can tell us.
  if (mtu < kMinIpv4Mtu || mtu >= PathMtu(dst)) return false;
  if (capacity_ == 0) return false;

  auto it = entries_.find(dst);
  if (it == entries_.end()) {
    if (entries_.size() >= capacity_) Erase(by_expiry_.begin()->second);
    it = entries_.emplace(dst, Entry{}).first;
  } else {
    by_expiry_.erase({it->second.expires, dst});
  }
  // RFC 1191 §6.3: the timer starts when the estimate is lowered.
  it->second.mtu = mtu;
  it->second.expires = now + expiry_;
  by_expiry_.emplace(it->second.expires, dst);
  return true;
}

void PmtuCache::Poll(Instant now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    Erase(by_expiry_.begin()->second);
  }
}

Instant PmtuCache::NextDeadline() const {
  return by_expiry_.empty() ? Instant::Never() : by_expiry_.begin()->first;
}

void PmtuCache::Erase(Ipv4Address dst) {
  auto it = entries_.find(dst);
  if (it == entries_.end()) return;
  by_expiry_.erase({it->second.expires, dst});
  entries_.erase(it);
}

}  // namespace tcpaas::ip
