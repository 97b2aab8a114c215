#include "tests/netsim/netsim_flags.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "absl/flags/flag.h"

#ifndef TCPAAS_NETSIM_EXPECTATIONS
#define TCPAAS_NETSIM_EXPECTATIONS "tests/netsim/expectations.txt"
#endif

namespace {

constexpr uint64_t kDefaultSeed = 1;
constexpr uint64_t kDefaultSeeds = 3;

}  // namespace

ABSL_FLAG(uint64_t, netsim_seed, kDefaultSeed, "first seed of every netsim run");
ABSL_FLAG(uint64_t, netsim_seeds, kDefaultSeeds,
          "seeds per matrix cell (their mean goodput is the cell's); cells without loss or "
          "reordering run once, as every seed gives the same run");
ABSL_FLAG(std::string, netsim_cells, "",
          "run only matrix cells whose key contains this (e.g. 'loss=1% rtt=10ms')");
ABSL_FLAG(std::string, netsim_expectations, TCPAAS_NETSIM_EXPECTATIONS,
          "the expectations file the matrix is checked against");
ABSL_FLAG(std::string, netsim_update_expectations, "",
          "write the measured goodputs to this file (cells not run keep their lines) instead "
          "of failing on them; runs that fail still fail");
ABSL_FLAG(double, netsim_tolerance, 0.10,
          "a cell fails when its goodput is this much (relative) below its expectation");
ABSL_FLAG(double, netsim_max_tolerance, 0.30,
          "the widest tolerance a cell that varies from seed to seed gets");
ABSL_FLAG(std::string, netsim_artifacts_dir, "",
          "where pcaps of failing runs go (default: $TCPAAS_ARTIFACTS_DIR, else /tmp)");
ABSL_FLAG(bool, netsim_verbose, false, "print how every run went, not only failing ones");

namespace tcpaas::netsim {

std::vector<uint64_t> MatrixSeeds() {
  std::vector<uint64_t> seeds;
  const uint64_t first = absl::GetFlag(FLAGS_netsim_seed);
  for (uint64_t i = 0; i < std::max<uint64_t>(1, absl::GetFlag(FLAGS_netsim_seeds)); ++i) {
    seeds.push_back(first + i);
  }
  return seeds;
}

bool DefaultSeeds() {
  return absl::GetFlag(FLAGS_netsim_seed) == kDefaultSeed &&
         absl::GetFlag(FLAGS_netsim_seeds) == kDefaultSeeds;
}

std::string ArtifactsDir() {
  std::string dir = absl::GetFlag(FLAGS_netsim_artifacts_dir);
  if (dir.empty()) {
    const char* env = std::getenv("TCPAAS_ARTIFACTS_DIR");
    dir = env != nullptr && *env != '\0' ? env : "/tmp";
  }
  return dir;
}

std::string FileSafe(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '.' || c == '-' || c == '_') {
      out += c;
    } else if (c == '%') {
      out += "pct";
    } else if (c == ' ') {
      out += '_';
    }
  }
  return out;
}

}  // namespace tcpaas::netsim
