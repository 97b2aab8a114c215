// The subset of Linux's struct tcp_info the runner can fill from TcpStats, for
// getsockopt(TCP_INFO) and for %{ }% assertions. Fields without an exact counterpart are left
// out on purpose: a script that reads one is unsupported, never compared with a guess.
#ifndef TCPAAS_TESTS_CONFORMANCE_TCP_INFO_H_
#define TCPAAS_TESTS_CONFORMANCE_TCP_INFO_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "stack/tcp/types.h"

namespace tcpaas::conformance {

// Linux's tcpi_state numbering (TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11).
int LinuxTcpState(tcp::TcpState s);

// The value of field `name` ("tcpi_snd_cwnd", ...) at time `now`, or nullopt when the runner
// has none.
std::optional<int64_t> TcpInfoField(absl::string_view name, const tcp::TcpStats& stats,
                                    Instant now);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_TCP_INFO_H_
