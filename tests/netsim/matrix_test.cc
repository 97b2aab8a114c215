// The throughput matrix (matrix.h) for NewReno and CUBIC: prints each goodput table and checks
// every cell against expectations.txt (goodput_check.h). See README.md.
#include "tests/netsim/matrix.h"

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/netsim/expectations.h"
#include "tests/netsim/goodput_check.h"
#include "tests/netsim/netsim_flags.h"

namespace tcpaas::netsim {
namespace {

std::string SeedGoodputs(const CellResult& r) {
  std::vector<std::string> parts;
  for (const SeedRun& run : r.runs) {
    parts.push_back(run.outcome.ok ? absl::StrFormat("seed %d: %.2f", run.seed, run.goodput_mbps)
                                   : absl::StrFormat("seed %d: FAIL", run.seed));
  }
  return absl::StrJoin(parts, ", ");
}

// Runs the seed again with pcaps kept, and says where they are and how to replay it.
std::string KeepEvidence(const CellResult& r, uint64_t seed, const std::string& test_name) {
  const std::string prefix = absl::StrCat(ArtifactsDir(), "/netsim-", FileSafe(r.cell.Key()));
  const uint64_t seeds[] = {seed};
  RunCell(r.cell, seeds, prefix);
  return absl::StrCat("\n  pcaps: ", prefix, "-seed", seed, "-{a,b}.pcap",
                      "\n  replay: netsim_test --gtest_filter=NetsimMatrix.", test_name,
                      " --netsim_cells='", r.cell.Key(), "' --netsim_seed=", seed,
                      " --netsim_seeds=1 --netsim_verbose");
}

std::string UpdateCommand() { return "tests/netsim/update-expectations.sh <build dir>"; }

void RunMatrix(const std::string& congestion_control, const std::string& test_name) {
  const std::vector<uint64_t> seeds = MatrixSeeds();
  const std::string filter = absl::GetFlag(FLAGS_netsim_cells);
  std::vector<MatrixCell> cells;
  for (const MatrixCell& cell : MatrixCells(congestion_control)) {
    if (cell.Key().find(filter) != std::string::npos) cells.push_back(cell);
  }
  if (cells.empty()) GTEST_SKIP() << "no cell matches --netsim_cells=" << filter;

  std::vector<CellResult> results;
  double real = 0;
  double virtual_seconds = 0;
  size_t runs = 0;
  for (const MatrixCell& cell : cells) {
    CellResult r = RunCell(cell, seeds);
    real += r.real_seconds;
    runs += r.runs.size();
    for (const SeedRun& run : r.runs) {
      virtual_seconds += run.outcome.virtual_elapsed.seconds();
      if (absl::GetFlag(FLAGS_netsim_verbose)) {
        std::printf("%s seed %llu: %.2f Mbit/s, %llu bytes; %s\n", cell.Key().c_str(),
                    static_cast<unsigned long long>(run.seed), run.goodput_mbps,
                    static_cast<unsigned long long>(r.bytes), DescribeFlow(run.outcome, 0).c_str());
      }
    }
    results.push_back(std::move(r));
  }
  std::printf("%s", FormatGoodputTable(results, seeds).c_str());
  std::printf("netsim %s: %zu cells, %zu runs, %.1f s real, %.0f s virtual\n",
              congestion_control.c_str(), results.size(), runs, real, virtual_seconds);

  // A run that failed (wrong bytes, a stall, an abort) fails the test whatever the goodput.
  for (const CellResult& r : results) {
    for (const SeedRun& run : r.runs) {
      if (run.outcome.ok) continue;
      ADD_FAILURE() << r.cell.Key() << " seed " << run.seed << " failed: " << run.outcome.failure
                    << KeepEvidence(r, run.seed, test_name);
    }
  }

  const std::string update_path = absl::GetFlag(FLAGS_netsim_update_expectations);
  if (!update_path.empty()) {
    absl::StatusOr<Expectations> file = Expectations::Load(update_path);
    if (absl::IsNotFound(file.status())) file = Expectations();
    ASSERT_TRUE(file.ok()) << file.status();
    std::vector<std::string> keys;
    for (const CellResult& r : results) {
      keys.push_back(r.cell.Key());
      if (r.ok()) file->Set(r.cell.Key(), r.goodput_mbps());
    }
    // A full run also drops lines of cells that no longer exist.
    if (filter.empty()) file->RemoveStale(congestion_control + " ", keys);
    absl::Status saved = file->Save(update_path);
    ASSERT_TRUE(saved.ok()) << saved;
    std::printf("netsim %s: wrote %zu expectations to %s (seeds %s)\n", congestion_control.c_str(),
                results.size(), update_path.c_str(), absl::StrJoin(seeds, ",").c_str());
    return;
  }

  const std::string path = absl::GetFlag(FLAGS_netsim_expectations);
  absl::StatusOr<Expectations> expectations = Expectations::Load(path);
  ASSERT_TRUE(expectations.ok()) << expectations.status()
                                 << "\n  make it with: " << UpdateCommand();
  const ToleranceRule rule{absl::GetFlag(FLAGS_netsim_tolerance), 3.0,
                           absl::GetFlag(FLAGS_netsim_max_tolerance)};
  const bool binding = DefaultSeeds();
  if (!binding) {
    std::printf("netsim: seeds differ from expectations.txt's; comparisons are printed only\n");
  }
  int improved = 0;
  for (const CellResult& r : results) {
    if (!r.ok()) continue;
    const std::optional<double> expected = expectations->Find(r.cell.Key());
    if (!expected) {
      ADD_FAILURE() << "no expectation for '" << r.cell.Key() << "' in " << path
                    << "; regenerate it: " << UpdateCommand();
      continue;
    }
    const Judgement j =
        JudgeGoodput(*expected, r.goodput_mbps(), r.relative_standard_error(), rule);
    const std::string what = absl::StrFormat(
        "%s: %.2f Mbit/s, expected %.2f (x%.3f, tolerance %.0f%%; %s)", r.cell.Key(),
        r.goodput_mbps(), *expected, j.ratio, j.tolerance * 100, SeedGoodputs(r));
    if (j.verdict == Verdict::kRegressed && binding) {
      const SeedRun& worst = r.worst();
      ADD_FAILURE() << "goodput regressed: " << what << "\n  worst, seed " << worst.seed << ": "
                    << DescribeFlow(worst.outcome, 0) << KeepEvidence(r, worst.seed, test_name);
    } else if (j.verdict != Verdict::kWithin) {
      std::printf("netsim %s: %s\n", std::string(VerdictName(j.verdict)).c_str(), what.c_str());
      if (j.verdict == Verdict::kImproved) ++improved;
    }
  }
  if (improved > 0) {
    std::printf("netsim %s: %d cells beat expectations.txt; refresh it: %s\n",
                congestion_control.c_str(), improved, UpdateCommand().c_str());
  }
}

TEST(NetsimMatrix, NewReno) { RunMatrix("newreno", "NewReno"); }
TEST(NetsimMatrix, Cubic) { RunMatrix("cubic", "Cubic"); }

// Same seed, same numbers; another seed, another run.
TEST(NetsimDeterminism, SameSeedGivesTheSameRun) {
  const MatrixCell cell{"newreno", 1024 * 1024, 0.01, Duration::Millis(10), true};
  const uint64_t seed = absl::GetFlag(FLAGS_netsim_seed);
  const uint64_t once[] = {seed};
  const uint64_t other[] = {seed + 1};
  const CellResult a = RunCell(cell, once);
  const CellResult b = RunCell(cell, once);
  const CellResult c = RunCell(cell, other);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << "seed " << seed;
  EXPECT_EQ(a.runs[0].goodput_mbps, b.runs[0].goodput_mbps) << "seed " << seed;
  EXPECT_EQ(a.runs[0].outcome.iterations, b.runs[0].outcome.iterations) << "seed " << seed;
  EXPECT_EQ(a.runs[0].outcome.a_to_b.loss, b.runs[0].outcome.a_to_b.loss) << "seed " << seed;
  EXPECT_EQ(a.runs[0].outcome.flows[0].sender.retransmits,
            b.runs[0].outcome.flows[0].sender.retransmits)
      << "seed " << seed;
  EXPECT_NE(a.runs[0].outcome.iterations, c.runs[0].outcome.iterations)
      << "seeds " << seed << " and " << seed + 1 << " ran identically";
}

}  // namespace
}  // namespace tcpaas::netsim
