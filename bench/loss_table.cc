#include "bench/loss_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/support/loss_rules.h"

namespace tcpaas::bench {
namespace {

std::string Mbps(std::optional<double> value) {
  return value ? absl::StrFormat("%.1f", *value) : std::string("failed");
}

std::string Runs(size_t ok, int failed) {
  if (failed == 0) return absl::StrCat(ok, ok == 1 ? " run" : " runs");
  return absl::StrCat(ok, " of ", ok + failed, " runs, ", failed, " failed");
}

std::string Size(uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return absl::StrCat(bytes >> 20, " MiB");
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
}

}  // namespace

std::optional<double> Median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  if (values.size() % 2 == 1) return values[mid];
  return (values[mid - 1] + values[mid]) / 2;
}

std::optional<double> LossRow::LinuxMedian() const { return Median(linux_mbps); }
std::optional<double> LossRow::OursMedian() const { return Median(ours_mbps); }

std::optional<double> LossRow::Ratio() const {
  const std::optional<double> theirs = LinuxMedian();
  const std::optional<double> ours = OursMedian();
  if (!theirs || !ours || *theirs <= 0) return std::nullopt;
  return *ours / *theirs;
}

std::string FormatLossTable(const std::vector<LossRow>& rows) {
  std::string out =
      absl::StrFormat("%-6s %-9s %14s %14s %11s   %s\n", "loss", "size", "Linux Mbit/s",
                      "ours Mbit/s", "ours/Linux", "runs (Linux; ours)");
  for (const LossRow& row : rows) {
    const std::optional<double> ratio = row.Ratio();
    absl::StrAppendFormat(
        &out, "%-6s %-9s %14s %14s %11s   %s; %s\n", test::LossLabel(row.per_mille),
        Size(row.bytes), Mbps(row.LinuxMedian()), Mbps(row.OursMedian()),
        ratio ? absl::StrFormat("%.2f", *ratio) : std::string("n/a"),
        Runs(row.linux_mbps.size(), row.linux_failed), Runs(row.ours_mbps.size(), row.ours_failed));
  }
  return out;
}

std::string FormatRatioLines(const std::vector<LossRow>& rows) {
  std::string out;
  for (const LossRow& row : rows) {
    const std::optional<double> ratio = row.Ratio();
    absl::StrAppendFormat(&out, "bench-loss: loss=%s ratio=%s\n", test::LossLabel(row.per_mille),
                          ratio ? absl::StrFormat("%.2f", *ratio) : std::string("n/a"));
  }
  return out;
}

}  // namespace tcpaas::bench
