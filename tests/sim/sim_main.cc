// The simulation test: runs many seeded scenarios (see scenario.h) and fails if any seed
// fails. A failing seed is printed with its scenario and replayed once with pcap recording,
// so the pcap of the failing run is kept in the artifacts directory.
//
//   sim_test --seeds=500                 # seeds 1..500 (what CI runs)
//   sim_test --seeds=10000 --first_seed=501
//   sim_test --seed=1234 --pcap_dir=/tmp # one seed, with pcaps
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/sim/scenario.h"
#include "tests/sim/simulation.h"

ABSL_FLAG(uint64_t, seeds, 500, "number of seeds to run");
ABSL_FLAG(uint64_t, first_seed, 1, "first seed");
ABSL_FLAG(int64_t, seed, -1, "run only this seed (overrides --seeds/--first_seed)");
ABSL_FLAG(std::string, pcap_dir, "", "record pcaps of every run here (slow; for replays)");
ABSL_FLAG(std::string, artifacts_dir, "",
          "where failing seeds' pcaps go (default: $TCPAAS_ARTIFACTS_DIR, else /tmp)");
ABSL_FLAG(uint64_t, max_failures, 20, "stop after this many failing seeds");
ABSL_FLAG(bool, verbose, false, "print every seed's scenario and outcome");

namespace {

std::string ArtifactsDir() {
  std::string dir = absl::GetFlag(FLAGS_artifacts_dir);
  if (dir.empty()) {
    const char* env = std::getenv("TCPAAS_ARTIFACTS_DIR");
    dir = env != nullptr && *env != '\0' ? env : "/tmp";
  }
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using tcpaas::sim::DrawScenario;
  using tcpaas::sim::Outcome;
  using tcpaas::sim::RunOptions;
  using tcpaas::sim::RunScenario;
  using tcpaas::sim::Scenario;

  uint64_t first = absl::GetFlag(FLAGS_first_seed);
  uint64_t count = absl::GetFlag(FLAGS_seeds);
  if (absl::GetFlag(FLAGS_seed) >= 0) {
    first = static_cast<uint64_t>(absl::GetFlag(FLAGS_seed));
    count = 1;
  }
  RunOptions options;
  options.pcap_dir = absl::GetFlag(FLAGS_pcap_dir);
  options.verbose = absl::GetFlag(FLAGS_verbose);

  const auto start = std::chrono::steady_clock::now();
  std::vector<uint64_t> failed;
  double virtual_seconds = 0;
  uint64_t retransmits = 0;
  uint64_t rtos = 0;  // retransmission timeouts, both hosts
  uint64_t ran = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    const Scenario scenario = DrawScenario(seed);
    Outcome outcome = RunScenario(scenario, options);
    ++ran;
    virtual_seconds += outcome.virtual_elapsed.seconds();
    retransmits += outcome.retransmits;
    rtos += outcome.a.tcp_rto_timeouts + outcome.b.tcp_rto_timeouts;
    if (options.verbose || !outcome.ok) {
      std::printf("%s %s\n  virtual %s, %llu iterations, %llu retransmissions\n",
                  outcome.ok ? "PASS" : "FAIL", scenario.ToString().c_str(),
                  outcome.virtual_elapsed.ToString().c_str(),
                  static_cast<unsigned long long>(outcome.iterations),
                  static_cast<unsigned long long>(outcome.retransmits));
    }
    if (!outcome.ok) {
      std::printf("  failure: %s\n", outcome.failure.c_str());
      failed.push_back(seed);
      if (options.pcap_dir.empty()) {
        RunOptions replay = options;
        replay.pcap_dir = ArtifactsDir();
        RunScenario(scenario, replay);
        std::printf("  pcaps of the failing run: %s/sim-%llu-{a,b}.pcap\n", replay.pcap_dir.c_str(),
                    static_cast<unsigned long long>(seed));
      }
      std::printf("  replay: sim_test --seed=%llu --pcap_dir=DIR\n",
                  static_cast<unsigned long long>(seed));
      std::fflush(stdout);
      if (failed.size() >= absl::GetFlag(FLAGS_max_failures)) break;
    }
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "sim: %llu seeds (%llu..%llu), %zu failed, %.0f s virtual, %llu retransmissions, %llu "
      "RTOs, %.1f s wall\n",
      static_cast<unsigned long long>(ran), static_cast<unsigned long long>(first),
      static_cast<unsigned long long>(first + ran - 1), failed.size(), virtual_seconds,
      static_cast<unsigned long long>(retransmits), static_cast<unsigned long long>(rtos), wall);
  if (!failed.empty()) {
    std::vector<std::string> names;
    for (uint64_t s : failed) names.push_back(absl::StrCat(s));
    std::printf("sim: failing seeds: %s\n", absl::StrJoin(names, " ").c_str());
    return 1;
  }
  return 0;
}
