// packetdrill's timing rules (run.c): when an event is due and whether something happened
// close enough to when the script said.
//  - An absolute time counts from the first event (which must be at 0).
//  - "+t" counts from when the previous event actually finished, except that an inbound
//    packet after an inbound packet counts from the previous one's script time.
//  - A blocking call's "...t" end time is relative to the same base as its start.
//  - Tolerance: --tolerance_usecs (4 ms), or --tolerance_percent (12.5%) of the time since
//    the previous event's script time, whichever is larger; ranges widen by it at both ends;
//    "*" matches any time.
#ifndef TCPAAS_TESTS_CONFORMANCE_TIMING_H_
#define TCPAAS_TESTS_CONFORMANCE_TIMING_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "stack/base/time.h"
#include "tests/conformance/script.h"

namespace tcpaas::conformance {

struct ToleranceRule {
  Duration tolerance = Duration::Micros(4000);
  double percent = 12.5;
};

// When an event is expected, in script time (Instant::Zero() is the script's time 0).
struct ExpectedTime {
  TimeKind kind = TimeKind::kAbsolute;
  Instant start;
  Instant end;  // ranges only
};

// The allowed deviation for an event expected at `expected` whose previous event was
// scheduled at `previous` (script times).
Duration ToleranceFor(const ToleranceRule& rule, Instant expected, std::optional<Instant> previous);

// nullopt when `actual` satisfies `expected`; else packetdrill's "timing error: ..." text.
std::optional<std::string> VerifyTime(const ToleranceRule& rule, const ExpectedTime& expected,
                                      Instant actual, std::optional<Instant> previous,
                                      absl::string_view what);

// The latest time at which `expected` could still be satisfied (for waiting on the stack).
Instant LatestAcceptable(const ToleranceRule& rule, const ExpectedTime& expected,
                         std::optional<Instant> previous);

std::string SecondsText(Instant t);  // "0.200000"

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_TIMING_H_
