// Runs one script end to end: parse, map its settings, check what it needs, execute it
// against the stack in virtual time, and say what became of it.
#ifndef TCPAAS_TESTS_CONFORMANCE_RUNNER_H_
#define TCPAAS_TESTS_CONFORMANCE_RUNNER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tests/conformance/verdict.h"

namespace tcpaas::conformance {

struct RunOptions {
  bool verbose = false;  // collect a trace of the run in ScriptResult::log
};

struct ScriptResult {
  Verdict verdict;
  std::vector<std::string> log;  // verbose notes: known differences, events, packets
};

ScriptResult RunScript(const std::string& path, const RunOptions& options);

// The same for a script given as text; `path` names it in messages and locates
// ../common/defaults.sh.
ScriptResult RunScriptText(absl::string_view text, const std::string& path,
                           const RunOptions& options);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_RUNNER_H_
