// An inbound ICMP line ("< icmp unreachable frag_needed mtu 1200 [1:1461(1460)]") as the
// error the IP layer would hand to TCP: packetdrill's type and code names (icmp_packet.c),
// the quoted datagram being our own segment of the connection under test.
#ifndef TCPAAS_TESTS_CONFORMANCE_ICMP_ERROR_H_
#define TCPAAS_TESTS_CONFORMANCE_ICMP_ERROR_H_

#include <array>
#include <cstdint>

#include "absl/status/statusor.h"
#include "stack/ip/transport.h"
#include "tests/conformance/script.h"

namespace tcpaas::conformance {

// The quoted transport header (ports and sequence number) lives in `quote`, which must
// outlive the returned error's use.
struct ScriptIcmpError {
  ip::IcmpError error;
  std::array<uint8_t, 8> quote{};
};

// Errors: an unknown type or code name, a type that is not an error (echo, ...), a quoted
// datagram that is not TCP. `local`/`remote` are our end and the peer's; `live_seq` is the
// quoted sequence number already in live space.
absl::StatusOr<ScriptIcmpError> MakeIcmpError(const IcmpSpec& icmp, Endpoint local, Endpoint remote,
                                              uint32_t live_seq);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_ICMP_ERROR_H_
