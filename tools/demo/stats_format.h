// Human-readable renderings of the stack's statistics for the demo's output and HTTP page.
#ifndef TCPAAS_TOOLS_DEMO_STATS_FORMAT_H_
#define TCPAAS_TOOLS_DEMO_STATS_FORMAT_H_

#include <string>

#include "stack/base/counters.h"
#include "stack/tcp/types.h"

namespace tcpaas::demo {

// A few indented lines: state and four-tuple, RTT and RTO, windows, options, bytes, segments,
// retransmissions.
std::string FormatTcpStats(const tcp::TcpStats& stats, const std::string& indent = "  ");
// The stack-wide counters that are not zero, one per line; drops by reason.
std::string FormatCounters(const StackCounters& counters, const std::string& indent = "  ");

}  // namespace tcpaas::demo

#endif  // TCPAAS_TOOLS_DEMO_STATS_FORMAT_H_
