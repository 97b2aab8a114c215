// Typed link and network addresses and transport endpoints.
#ifndef TCPAAS_STACK_WIRE_ADDR_H_
#define TCPAAS_STACK_WIRE_ADDR_H_

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/hash/hash.h"

namespace tcpaas {

class MacAddress {
 public:
  constexpr MacAddress() = default;
  constexpr explicit MacAddress(const std::array<uint8_t, 6>& b) : b_(b) {}
  static MacAddress FromBytes(const uint8_t* p);
  static constexpr MacAddress Broadcast() {
    return MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  }
  static std::optional<MacAddress> Parse(std::string_view s);  // "02:00:00:00:00:01"

  const std::array<uint8_t, 6>& bytes() const { return b_; }
  void CopyTo(uint8_t* p) const;
  bool is_broadcast() const { return *this == Broadcast(); }
  bool is_multicast() const { return (b_[0] & 1) != 0; }
  bool is_zero() const { return *this == MacAddress(); }
  std::string ToString() const;

  constexpr bool operator==(const MacAddress&) const = default;

 private:
  std::array<uint8_t, 6> b_{};
};

// An IPv4 address held in host byte order.
class Ipv4Address {
 public:
  constexpr Ipv4Address() = default;
  constexpr explicit Ipv4Address(uint32_t host_order) : v_(host_order) {}
  static constexpr Ipv4Address FromOctets(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return Ipv4Address((uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d);
  }
  static std::optional<Ipv4Address> Parse(std::string_view s);  // dotted quad only
  static constexpr Ipv4Address Any() { return Ipv4Address(0); }
  static constexpr Ipv4Address Broadcast() { return Ipv4Address(0xffffffffu); }

  constexpr uint32_t value() const { return v_; }
  bool is_any() const { return v_ == 0; }
  bool is_broadcast() const { return v_ == 0xffffffffu; }
  bool is_multicast() const { return (v_ >> 28) == 0xe; }
  bool is_loopback() const { return (v_ >> 24) == 127; }
  // True when both addresses share the first `prefix_len` bits.
  bool SameSubnet(Ipv4Address o, int prefix_len) const;
  std::string ToString() const;

  constexpr auto operator<=>(const Ipv4Address&) const = default;

  template <typename H>
  friend H AbslHashValue(H h, Ipv4Address a) {
    return H::combine(std::move(h), a.v_);
  }

 private:
  uint32_t v_ = 0;
};

// An address with a prefix length, as in "198.18.0.2/24".
struct Ipv4Cidr {
  Ipv4Address address;
  int prefix_len = 32;
  static std::optional<Ipv4Cidr> Parse(std::string_view s);
  Ipv4Address Network() const;
  Ipv4Address BroadcastAddress() const;
  bool Contains(Ipv4Address a) const { return address.SameSubnet(a, prefix_len); }
  std::string ToString() const;
};

// A transport port. Zero means "unspecified" (pick an ephemeral port).
class Port {
 public:
  constexpr Port() = default;
  constexpr explicit Port(uint16_t v) : v_(v) {}
  constexpr uint16_t value() const { return v_; }
  constexpr auto operator<=>(const Port&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, Port p) {
    return H::combine(std::move(h), p.v_);
  }

 private:
  uint16_t v_ = 0;
};

struct Endpoint {
  Ipv4Address addr;
  Port port;
  std::string ToString() const;  // "198.18.0.1:80"
  constexpr auto operator<=>(const Endpoint&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const Endpoint& e) {
    return H::combine(std::move(h), e.addr, e.port);
  }
};

// The four-tuple that names a TCP connection, from the local stack's point of view.
struct FourTuple {
  Endpoint local;
  Endpoint remote;
  std::string ToString() const;  // "198.18.0.2:40000->198.18.0.1:80"
  constexpr auto operator<=>(const FourTuple&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const FourTuple& t) {
    return H::combine(std::move(h), t.local, t.remote);
  }
};

std::ostream& operator<<(std::ostream& os, const MacAddress& a);
std::ostream& operator<<(std::ostream& os, const Ipv4Address& a);
std::ostream& operator<<(std::ostream& os, const Endpoint& e);
std::ostream& operator<<(std::ostream& os, const FourTuple& t);

}  // namespace tcpaas

#endif  // TCPAAS_STACK_WIRE_ADDR_H_
