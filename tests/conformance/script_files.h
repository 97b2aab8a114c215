// The scripts a run covers: each PATH is a script file, or a directory searched recursively
// for *.pkt files.
#ifndef TCPAAS_TESTS_CONFORMANCE_SCRIPT_FILES_H_
#define TCPAAS_TESTS_CONFORMANCE_SCRIPT_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tcpaas::conformance {

// Files in the order given; within a directory, sorted by path. A path that does not exist
// is an error.
absl::StatusOr<std::vector<std::string>> CollectScripts(const std::vector<std::string>& paths);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_SCRIPT_FILES_H_
