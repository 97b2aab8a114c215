// Where a datagram goes: the interface's address plan (our address, its subnet, an optional
// default gateway) and the next-hop decision for outgoing datagrams (RFC 1122 §3.3.1).
#ifndef TCPAAS_STACK_IP_ROUTE_H_
#define TCPAAS_STACK_IP_ROUTE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "stack/wire/addr.h"

namespace tcpaas::ip {

class Router {
 public:
  Router(Ipv4Cidr address, std::optional<Ipv4Address> gateway)
      : address_(address), gateway_(gateway) {}

  Ipv4Address local_address() const { return address_.address; }
  bool IsLocal(Ipv4Address a) const { return a == address_.address; }
  // The limited broadcast address or the subnet-directed broadcast of our subnet
  // (RFC 1122 §3.2.1.3). A /31 or /32 subnet has no broadcast address (RFC 3021).
  bool IsBroadcast(Ipv4Address a) const;
  // False for addresses that may not appear as the source of a datagram we accept
  // (RFC 1122 §3.2.1.3): broadcast, multicast, loopback and our own address.
  bool IsValidSource(Ipv4Address a) const;

  // The neighbour a datagram for `dst` is handed to: `dst` itself on our subnet, else the
  // gateway. Errors:
  //   kInvalidArgument for our own address, loopback, unspecified, broadcast and multicast
  //     destinations (the stack does not loop back to itself and does not broadcast);
  //   kUnavailable "no route to X" for off-subnet destinations without a gateway.
  absl::StatusOr<Ipv4Address> NextHop(Ipv4Address dst) const;

 private:
  Ipv4Cidr address_;
  std::optional<Ipv4Address> gateway_;
};

}  // namespace tcpaas::ip

#endif  // TCPAAS_STACK_IP_ROUTE_H_
