// Ephemeral port selection per RFC 6056 §3.3.3 (Algorithm 3, "Simple Hash-Based Port
// Selection"): the search for a free port starts at a keyed hash of the addresses plus a
// counter, so ports are hard to predict from outside yet successive connections to one peer
// do not collide.
#ifndef TCPAAS_STACK_TCP_PORT_ALLOCATOR_H_
#define TCPAAS_STACK_TCP_PORT_ALLOCATOR_H_

#include <cstdint>
#include <optional>

#include "absl/functional/function_ref.h"
#include "stack/wire/addr.h"

namespace tcpaas::tcp {

class PortAllocator {
 public:
  // Ports are chosen in [first, last] (swapped if given the wrong way round).
  PortAllocator(Port first, Port last);

  // The first port, in the algorithm's order, for which `usable(port)` is true; nullopt when
  // every port of the range is taken. `offset` is F(local, remote, secret).
  std::optional<Port> Allocate(uint32_t offset, absl::FunctionRef<bool(Port)> usable);

 private:
  uint16_t first_;
  uint32_t count_;
  uint32_t next_ephemeral_ = 0;  // RFC 6056's next_ephemeral
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_PORT_ALLOCATOR_H_
