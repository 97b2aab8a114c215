// Flags of netsim_test (tests/netsim/README.md).
#ifndef TCPAAS_TESTS_NETSIM_NETSIM_FLAGS_H_
#define TCPAAS_TESTS_NETSIM_NETSIM_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(uint64_t, netsim_seed);
ABSL_DECLARE_FLAG(uint64_t, netsim_seeds);
ABSL_DECLARE_FLAG(std::string, netsim_cells);
ABSL_DECLARE_FLAG(std::string, netsim_expectations);
ABSL_DECLARE_FLAG(std::string, netsim_update_expectations);
ABSL_DECLARE_FLAG(double, netsim_tolerance);
ABSL_DECLARE_FLAG(double, netsim_max_tolerance);
ABSL_DECLARE_FLAG(std::string, netsim_artifacts_dir);
ABSL_DECLARE_FLAG(bool, netsim_verbose);

namespace tcpaas::netsim {

// The matrix's seeds: --netsim_seeds of them from --netsim_seed on.
std::vector<uint64_t> MatrixSeeds();
// Whether the seeds are the ones expectations.txt was made with (otherwise the comparison
// is printed but does not fail: other seeds are other samples).
bool DefaultSeeds();
// Where failing runs' pcaps go: --netsim_artifacts_dir, else $TCPAAS_ARTIFACTS_DIR (set by
// scripts/run-tests.sh), else /tmp.
std::string ArtifactsDir();
// A file name made of a cell key: letters, digits, '.', '-' and '_' only.
std::string FileSafe(const std::string& text);

}  // namespace tcpaas::netsim

#endif  // TCPAAS_TESTS_NETSIM_NETSIM_FLAGS_H_
