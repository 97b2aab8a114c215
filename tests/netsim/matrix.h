// The throughput matrix: one bulk transfer from A to B per cell through a 100 Mbit/s
// bottleneck whose queue holds about one bandwidth-delay product, over
//   buffer {64 KiB, 1 MiB} x loss {0, 0.1, 1, 5 %} x RTT {1, 10, 50 ms} x reordering {off, on}
// for one congestion control. Goodput is the application bytes read by B over the virtual
// time from A's connect to B's read of the last byte.
#ifndef TCPAAS_TESTS_NETSIM_MATRIX_H_
#define TCPAAS_TESTS_NETSIM_MATRIX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "stack/base/time.h"
#include "tests/netsim/flow_run.h"

namespace tcpaas::netsim {

inline constexpr uint64_t kMatrixRateBitsPerSecond = 100'000'000;

struct MatrixCell {
  std::string congestion_control;
  size_t buffer_bytes = 0;  // send buffer of A and receive buffer of B (and the other two)
  double loss = 0;          // probability, each direction
  Duration rtt;             // propagation only: twice the one-way delay
  bool reorder = false;

  // "newreno buf=64KiB loss=0.1% rtt=10ms reorder=off": the cell's line in expectations.txt.
  std::string Key() const;
  // Every cell for one congestion control, in table order (buffer, loss, RTT, reordering).
  std::vector<MatrixCell> MatrixCells(const std::string& congestion_control);

  // Whether anything in the cell is random. Without loss or reordering the path draws
  // nothing, so every seed gives the same run and one seed is enough.
  bool random() const { return loss > 0 || reorder; }
};

// Every cell for one congestion control, in table order (buffer, loss, RTT, reordering).
std::vector<MatrixCell> MatrixCells(const std::string& congestion_control);

// The bytes the cell transfers (see matrix.cc for the rule) and the full run of the cell.
uint64_t CellBytes(const MatrixCell& cell);
RunSpec CellRunSpec(const MatrixCell& cell, uint64_t seed);

struct SeedRun {
  uint64_t seed = 0;
  RunOutcome outcome;
  double goodput_mbps = 0;  // 0 when the run failed
};

struct CellResult {
  MatrixCell cell;
  uint64_t bytes = 0;
  std::vector<SeedRun> runs;
  double real_seconds = 0;

  // Whether every run delivered all bytes correctly.
  bool ok() const;
  // The mean goodput over the runs.
  double goodput_mbps() const;
  // The standard error of that mean relative to it (0 for a single run): how much the
  // number moves from seed to seed.
  double relative_standard_error() const;
  // The run with the lowest goodput (a failed run first).
  const SeedRun& worst() const;
};

// Runs the cell once per seed (only the first seed when the cell is not random()). With a
// non-empty `pcap_prefix` every run records pcaps to <pcap_prefix>-seed<N>-{a,b}.pcap.
CellResult RunCell(const MatrixCell& cell, absl::Span<const uint64_t> seeds,
                   const std::string& pcap_prefix = "");

// The mean goodputs as a grid: a row per (buffer, loss), a column per (RTT, reordering), in
// Mbit/s; failed cells show as FAIL. `results` are cells of one congestion control.
std::string FormatGoodputTable(absl::Span<const CellResult> results,
                               absl::Span<const uint64_t> seeds);

}  // namespace tcpaas::netsim

#endif  // TCPAAS_TESTS_NETSIM_MATRIX_H_
