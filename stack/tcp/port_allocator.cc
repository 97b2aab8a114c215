#include "stack/tcp/port_allocator.h"

#include <algorithm>

namespace tcpaas::tcp {

PortAllocator::PortAllocator(Port first, Port last) {
  uint16_t lo = std::min(first.value(), last.value());
  const uint16_t hi = std::max(first.value(), last.value());
  if (lo == 0) lo = 1;  // port 0 is never a valid source port
  first_ = lo;
  count_ = hi >= lo ? uint32_t{hi} - lo + 1 : 0;
}

std::optional<Port> PortAllocator::Allocate(uint32_t offset, absl::FunctionRef<bool(Port)> usable) {
  // RFC 6056 §3.3.3: port = min_ephemeral + (next_ephemeral + offset) % num_ephemeral,
  // next_ephemeral incremented on every try.
  for (uint32_t tries = 0; tries < count_; ++tries) {
    const uint32_t candidate = first_ + (next_ephemeral_ + offset) % count_;
    ++next_ephemeral_;
    const Port port(static_cast<uint16_t>(candidate));
    if (usable(port)) return port;
  }
  return std::nullopt;
}

}  // namespace tcpaas::tcp
