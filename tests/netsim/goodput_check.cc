#include "tests/netsim/goodput_check.h"

#include <algorithm>

namespace tcpaas::netsim {

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kWithin:
      return "within";
    case Verdict::kRegressed:
      return "regressed";
    case Verdict::kImproved:
      return "improved";
  }
  return "?";
}

Judgement JudgeGoodput(double expected_mbps, double measured_mbps, double relative_standard_error,
                       const ToleranceRule& rule) {
  Judgement j;
  j.tolerance = std::clamp(rule.standard_errors * relative_standard_error, rule.base,
                           std::max(rule.base, rule.max));
  if (expected_mbps <= 0) {
    // Nothing expected (a cell that used to deliver nothing): any goodput is an improvement.
    j.verdict = measured_mbps > 0 ? Verdict::kImproved : Verdict::kWithin;
    return j;
  }
  j.ratio = measured_mbps / expected_mbps;
  if (j.ratio < 1 - j.tolerance) {
    j.verdict = Verdict::kRegressed;
  } else if (j.ratio > 1 + j.tolerance) {
    j.verdict = Verdict::kImproved;
  }
  return j;
}

}  // namespace tcpaas::netsim
