// Initial sequence numbers per RFC 6528 §3:
//   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
// with M a timer ticking every 4 microseconds and F SipHash-2-4 under the stack's secret.
#ifndef TCPAAS_STACK_TCP_ISN_H_
#define TCPAAS_STACK_TCP_ISN_H_

#include <array>
#include <cstdint>

#include "absl/types/span.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"
#include "stack/wire/seq.h"

namespace tcpaas::tcp {

// SipHash-2-4 (Aumasson and Bernstein) of `data` under a 128-bit key.
uint64_t SipHash24(const std::array<uint64_t, 2>& key, absl::Span<const uint8_t> data);

class IsnGenerator {
 public:
  explicit IsnGenerator(const std::array<uint64_t, 2>& secret) : secret_(secret) {}
  SeqNum Generate(const FourTuple& tuple, Instant now) const;
  // A keyed hash of the tuple without the clock, for choosing ephemeral ports (RFC 6056 §3.3.3).
  uint32_t PortOffset(Ipv4Address local, Endpoint remote) const;

 private:
  std::array<uint64_t, 2> secret_;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_ISN_H_
