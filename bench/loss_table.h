// The benchmark's result: per loss rate, the goodput of every run of each sender, their
// medians and the ratio ours/Linux, printed as one table and one grep-able line per loss.
#ifndef TCPAAS_BENCH_LOSS_TABLE_H_
#define TCPAAS_BENCH_LOSS_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tcpaas::bench {

// The runs at one loss rate. A failed run is not a sample: it is counted in *_failed.
struct LossRow {
  int per_mille = 0;
  uint64_t bytes = 0;  // moved per run
  std::vector<double> linux_mbps;
  std::vector<double> ours_mbps;
  int linux_failed = 0;
  int ours_failed = 0;

  std::optional<double> LinuxMedian() const;
  std::optional<double> OursMedian() const;
  // ours / Linux of the medians; nullopt when either has no sample or Linux's is 0.
  std::optional<double> Ratio() const;
};

// The median (the mean of the two middle values for an even count); nullopt when empty.
std::optional<double> Median(std::vector<double> values);

// The table: loss, size, Linux Mbit/s, ours Mbit/s, ours/Linux, and the runs behind each
// median ("3 runs" or "2 of 3 runs, 1 failed").
std::string FormatLossTable(const std::vector<LossRow>& rows);

// One line per loss: "bench-loss: loss=1% ratio=0.42" ("ratio=n/a" when a side has no run
// that succeeded).
std::string FormatRatioLines(const std::vector<LossRow>& rows);

}  // namespace tcpaas::bench

#endif  // TCPAAS_BENCH_LOSS_TABLE_H_
