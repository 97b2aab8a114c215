// tcpaas's extension to packetdrill's language for malformed inbound segments, which
// packetdrill cannot write: two pseudo-options in the option list of a '<' line.
//   bad_csum   the TCP checksum is wrong (one bit flipped after it was computed)
//   doff N     the data offset field says N 32-bit words (0-15) whatever the options take;
//              with N smaller than the real header, options spill into the payload and the
//              last one overruns the header
// They are not options on the wire; the real options are encoded as written, in order.
#ifndef TCPAAS_TESTS_CONFORMANCE_INBOUND_DAMAGE_H_
#define TCPAAS_TESTS_CONFORMANCE_INBOUND_DAMAGE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "stack/wire/addr.h"
#include "tests/conformance/script.h"

namespace tcpaas::conformance {

struct InboundDamage {
  std::optional<uint8_t> data_offset_words;  // "doff N"
  bool bad_checksum = false;                 // "bad_csum"
};

// Whether `o` is one of the pseudo-options above (well formed or not).
bool IsDamageOption(const TcpOptionSpec& o);

// Moves the pseudo-options out of `options` into `damage`. Errors: "doff" without a number
// in 0..15.
absl::Status ExtractDamage(std::vector<TcpOptionSpec>* options, InboundDamage* damage);

// Applies `damage` to a built segment (with a correct checksum over the pseudo-header).
void ApplyDamage(const InboundDamage& damage, Ipv4Address src, Ipv4Address dst,
                 absl::Span<uint8_t> segment);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_INBOUND_DAMAGE_H_
