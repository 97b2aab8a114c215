// Judges a matrix cell's mean goodput against its expectation.
//
// The simulation is deterministic: the same code and seeds give bit-identical goodputs, so
// the tolerance is not there for run-to-run noise. It is there because a change to the stack
// that shifts packets makes the seeded loss and jitter hit other packets, which moves a cell
// by about its seed-to-seed spread. Measured over seeds 1-6 on the 84 cells with loss or
// reordering: the median cell's goodput varies by 7% from seed to seed (coefficient of
// variation), three quarters of them by under 12%. A cell's number is the mean of three seeds,
// and it regressed when it fell by more than three standard errors of that mean (estimated
// from the run's own seeds): 13% for the median cell. Never less than 10%: cells without
// loss or reordering are exact, and 10% is a loss worth a look. Never more than 30%: beyond
// that a cell is bimodal (the 1 MiB cells at a 1 ms RTT that fall into RTO storms on some
// seeds) and a wider band would let it hide anything.
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
