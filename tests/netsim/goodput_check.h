// Judges a matrix cell's mean goodput against its expectation.
//
// The simulation is deterministic: the same code and seeds give bit-identical goodputs, so
// the tolerance is not there for run-to-run noise. It is there because any change to the
// stack that shifts one packet makes the seeded loss and jitter hit different packets, which
// moves a cell by about its seed-to-seed spread. Over seeds 1-6 most cells' goodput varies
// by under 6% (coefficient of variation); the mean of three seeds then varies by under 3.5%,
// so a 10% fall is about three standard errors: a real regression, not a reshuffle. Cells
// that vary more (RTOs at a 1 ms RTT, where one 200 ms RTO is 200 RTTs) get three standard
// errors of their own seeds instead, up to a cap, so the check stays meaningful everywhere
// instead of flaking on the noisiest cells.
#ifndef TCPAAS_TESTS_NETSIM_GOODPUT_CHECK_H_
#define TCPAAS_TESTS_NETSIM_GOODPUT_CHECK_H_

#include <string_view>

namespace tcpaas::netsim {

struct ToleranceRule {
  double base = 0.10;            // relative tolerance of a cell that does not vary
  double standard_errors = 3.0;  // a noisier cell: this many standard errors of its mean
  double max = 0.30;             // but never more than this
};

enum class Verdict {
  kWithin,     // within the tolerance of the expectation
  kRegressed,  // lower than expected by more than the tolerance: the cell fails
  kImproved,   // higher by more than the tolerance: refresh expectations.txt
};
std::string_view VerdictName(Verdict v);

struct Judgement {
  Verdict verdict = Verdict::kWithin;
  double tolerance = 0;  // the relative tolerance applied
  double ratio = 0;      // measured / expected (0 when nothing was expected)
};

// `relative_standard_error`: the standard error of the measured mean over its mean (0 when
// only one seed ran).
Judgement JudgeGoodput(double expected_mbps, double measured_mbps, double relative_standard_error,
                       const ToleranceRule& rule);

}  // namespace tcpaas::netsim

#endif  // TCPAAS_TESTS_NETSIM_GOODPUT_CHECK_H_
