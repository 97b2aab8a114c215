// tcpaas-conformance [--verbose] [--report] PATH...
//
// Runs packetdrill-syntax scripts against the stack core in virtual time. A PATH is a script
// or a directory searched recursively for *.pkt. Prints one line per script and then
// "conformance: P passed, F failed, U unsupported". Exits 1 if a script failed (unless
// --report: the corpus is a report that does not fail the build), 2 on a usage error.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tests/conformance/runner.h"
#include "tests/conformance/script_files.h"
#include "tests/conformance/verdict.h"

namespace {

int Usage() {
  std::fprintf(stderr, "usage: tcpaas-conformance [--verbose] [--report] PATH...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tcpaas::conformance;
  RunOptions options;
  bool report_only = false;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--verbose" || arg == "-v") {
      options.verbose = true;
    } else if (arg == "--report") {
      report_only = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return Usage();
    } else {
      paths.emplace_back(arg);
    }
  }
  if (paths.empty()) return Usage();
  absl::StatusOr<std::vector<std::string>> scripts = CollectScripts(paths);
  if (!scripts.ok()) {
    std::fprintf(stderr, "tcpaas-conformance: %s\n", scripts.status().ToString().c_str());
    return 2;
  }
  Tally tally;
  for (const std::string& path : *scripts) {
    ScriptResult r = RunScript(path, options);
    for (const std::string& note : r.log) std::printf("  %s\n", note.c_str());
    std::printf("%s\n", FormatVerdict(path, r.verdict).c_str());
    std::fflush(stdout);
    tally.Add(r.verdict);
  }
  std::printf("%s\n", tally.Summary().c_str());
  return (tally.failed > 0 && !report_only) ? 1 : 0;
}
