#include "tests/conformance/timing.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tcpaas::conformance {

std::string SecondsText(Instant t) {
  return absl::StrFormat("%.6f", static_cast<double>(t.nanos()) / 1e9);
}

Duration ToleranceFor(const ToleranceRule& rule, Instant expected,
                      std::optional<Instant> previous) {
  Duration tolerance = rule.tolerance;
  if (previous) {
    const Duration delta = expected - *previous;
    const auto dynamic = Duration::Nanos(
        static_cast<int64_t>(rule.percent / 100.0 * static_cast<double>(delta.nanos())));
    if (dynamic > tolerance) tolerance = dynamic;
  }
  return tolerance;
}

Instant LatestAcceptable(const ToleranceRule& rule, const ExpectedTime& expected,
                         std::optional<Instant> previous) {
  if (expected.kind == TimeKind::kAny) return Instant::Never();
  const Duration tolerance = ToleranceFor(rule, expected.start, previous);
  const bool range =
      expected.kind == TimeKind::kAbsoluteRange || expected.kind == TimeKind::kRelativeRange;
  return (range ? expected.end : expected.start) + tolerance;
}

std::optional<std::string> VerifyTime(const ToleranceRule& rule, const ExpectedTime& expected,
                                      Instant actual, std::optional<Instant> previous,
                                      absl::string_view what) {
  if (expected.kind == TimeKind::kAny) return std::nullopt;
  const Duration tolerance = ToleranceFor(rule, expected.start, previous);
  if (expected.kind == TimeKind::kAbsoluteRange || expected.kind == TimeKind::kRelativeRange) {
    if (actual < expected.start - tolerance || actual > expected.end + tolerance) {
      return absl::StrCat("timing error: expected ", what, " in time range ",
                          SecondsText(expected.start), "~", SecondsText(expected.end),
                          " sec but happened at ", SecondsText(actual), " sec");
    }
    return std::nullopt;
  }
  if (actual < expected.start - tolerance || actual > expected.start + tolerance) {
    return absl::StrCat("timing error: expected ", what, " at ", SecondsText(expected.start),
                        " sec but happened at ", SecondsText(actual), " sec; tolerance ",
                        SecondsText(Instant::Zero() + tolerance), " sec");
  }
  return std::nullopt;
}

}  // namespace tcpaas::conformance
