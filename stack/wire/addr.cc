#include "stack/wire/addr.h"

#include <cstring>

#include "absl/strings/str_format.h"

namespace tcpaas {
namespace {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses a decimal number of 1..3 digits without sign or leading zeros (as inet_pton does,
// so "010" is never silently read as octal or decimal) and at most `max`. Consumes digits
// from the front of `s`.
std::optional<uint32_t> ConsumeDecimal(std::string_view* s, uint32_t max) {
  size_t n = 0;
  uint32_t v = 0;
  while (n < s->size() && (*s)[n] >= '0' && (*s)[n] <= '9') {
    if (n == 3) return std::nullopt;
    v = v * 10 + static_cast<uint32_t>((*s)[n] - '0');
    ++n;
  }
  if (n == 0 || v > max) return std::nullopt;
  if (n > 1 && (*s)[0] == '0') return std::nullopt;
  s->remove_prefix(n);
  return v;
}

// Consumes a dotted quad from the front of `s`.
std::optional<Ipv4Address> ConsumeDottedQuad(std::string_view* s) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (s->empty() || s->front() != '.') return std::nullopt;
      s->remove_prefix(1);
    }
    std::optional<uint32_t> octet = ConsumeDecimal(s, 255);
    if (!octet) return std::nullopt;
    v = (v << 8) | *octet;
  }
  return Ipv4Address(v);
}

// The netmask of a prefix length, which is clamped to 0..32.
uint32_t PrefixMask(int prefix_len) {
  if (prefix_len <= 0) return 0;
  if (prefix_len >= 32) return 0xffffffffu;
  return ~uint32_t{0} << (32 - prefix_len);
}

}  // namespace

MacAddress MacAddress::FromBytes(const uint8_t* p) {
  std::array<uint8_t, 6> b;
  std::memcpy(b.data(), p, b.size());
  return MacAddress(b);
}

std::optional<MacAddress> MacAddress::Parse(std::string_view s) {
  // Exactly six pairs of hex digits separated by ':'.
  if (s.size() != 17) return std::nullopt;
  std::array<uint8_t, 6> b;
  for (size_t i = 0; i < 6; ++i) {
    const size_t at = i * 3;
    if (i > 0 && s[at - 1] != ':') return std::nullopt;
    const int hi = HexDigitValue(s[at]);
    const int lo = HexDigitValue(s[at + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    b[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return MacAddress(b);
}

void MacAddress::CopyTo(uint8_t* p) const { std::memcpy(p, b_.data(), b_.size()); }

std::string MacAddress::ToString() const {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", b_[0], b_[1], b_[2], b_[3], b_[4], b_[5]);
}

std::optional<Ipv4Address> Ipv4Address::Parse(std::string_view s) {
  std::optional<Ipv4Address> a = ConsumeDottedQuad(&s);
  if (!a || !s.empty()) return std::nullopt;
  return a;
}

bool Ipv4Address::SameSubnet(Ipv4Address o, int prefix_len) const {
  const uint32_t mask = PrefixMask(prefix_len);
  return (v_ & mask) == (o.v_ & mask);
}

std::string Ipv4Address::ToString() const {
  return absl::StrFormat("%u.%u.%u.%u", v_ >> 24, (v_ >> 16) & 0xff, (v_ >> 8) & 0xff, v_ & 0xff);
}

std::optional<Ipv4Cidr> Ipv4Cidr::Parse(std::string_view s) {
  std::optional<Ipv4Address> a = ConsumeDottedQuad(&s);
  if (!a || s.empty() || s.front() != '/') return std::nullopt;
  s.remove_prefix(1);
  std::optional<uint32_t> len = ConsumeDecimal(&s, 32);
  if (!len || !s.empty()) return std::nullopt;
  return Ipv4Cidr{*a, static_cast<int>(*len)};
}

Ipv4Address Ipv4Cidr::Network() const {
  return Ipv4Address(address.value() & PrefixMask(prefix_len));
}

Ipv4Address Ipv4Cidr::BroadcastAddress() const {
  return Ipv4Address(address.value() | ~PrefixMask(prefix_len));
}

std::string Ipv4Cidr::ToString() const {
  return absl::StrFormat("%s/%d", address.ToString(), prefix_len);
}

std::string Endpoint::ToString() const {
  return absl::StrFormat("%s:%u", addr.ToString(), port.value());
}

std::string FourTuple::ToString() const {
  return absl::StrFormat("%s->%s", local.ToString(), remote.ToString());
}

std::ostream& operator<<(std::ostream& os, const MacAddress& a) { return os << a.ToString(); }
std::ostream& operator<<(std::ostream& os, const Ipv4Address& a) { return os << a.ToString(); }
std::ostream& operator<<(std::ostream& os, const Endpoint& e) { return os << e.ToString(); }
std::ostream& operator<<(std::ostream& os, const FourTuple& t) { return os << t.ToString(); }

}  // namespace tcpaas
