#include "stack/ip/route.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tcpaas::ip {

bool Router::IsBroadcast(Ipv4Address a) const {
  if (a.is_broadcast()) return true;
  return address_.prefix_len <= 30 && a == address_.BroadcastAddress();
}

bool Router::IsValidSource(Ipv4Address a) const {
  return !IsBroadcast(a) && !a.is_multicast() && !a.is_loopback() && !IsLocal(a);
}

absl::StatusOr<Ipv4Address> Router::NextHop(Ipv4Address dst) const {
  if (IsLocal(dst) || dst.is_loopback()) {
    return absl::InvalidArgumentError(
        absl::StrCat("destination ", dst.ToString(), " is this stack itself"));
  }
  if (dst.is_any() || dst.is_multicast() || IsBroadcast(dst)) {
    return absl::InvalidArgumentError(
        absl::StrCat("destination ", dst.ToString(), " is not a unicast address"));
  }
  // RFC 1122 §3.3.1.1: on-link destinations directly, everything else through the gateway.
  if (address_.Contains(dst)) return dst;
  if (gateway_.has_value()) return *gateway_;
  return absl::UnavailableError(absl::StrCat("no route to ", dst.ToString()));
}

}  // namespace tcpaas::ip
