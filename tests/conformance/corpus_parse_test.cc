// Every script of the shared packetdrill corpus parses, and its settings map, without an
// error. Skips when the corpus is not checked out beside the repository.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/conformance/parser.h"
#include "tests/conformance/runner.h"
#include "tests/conformance/script_files.h"
#include "tests/conformance/setup.h"

namespace tcpaas::conformance {
namespace {

TEST(CorpusParseTest, EveryScriptParsesAndItsSettingsMap) {
  const std::string corpus = TCPAAS_PACKETDRILL_CORPUS;
  if (!std::filesystem::is_directory(corpus)) {
    GTEST_SKIP() << "packetdrill corpus not found at " << corpus;
  }
  absl::StatusOr<std::vector<std::string>> scripts = CollectScripts({corpus});
  ASSERT_TRUE(scripts.ok()) << scripts.status();
  EXPECT_GE(scripts->size(), 60u);
  for (const std::string& path : *scripts) {
    absl::StatusOr<Script> script = ParseScriptFile(path);
    ASSERT_TRUE(script.ok()) << script.status();
    EXPECT_FALSE(script->events.empty()) << path;
    absl::StatusOr<ScriptSetup> setup = BuildSetup(*script, ScriptSetup());
    EXPECT_TRUE(setup.ok()) << setup.status();
  }
}

// Acceptance of issue 4: every corpus script ends in a verdict, and every verdict but a pass
// says why. (Under ASan this also runs the executor over every path the corpus reaches.)
TEST(CorpusRunTest, EveryScriptEndsInAVerdictWithAReason) {
  const std::string corpus = TCPAAS_PACKETDRILL_CORPUS;
  if (!std::filesystem::is_directory(corpus)) {
    GTEST_SKIP() << "packetdrill corpus not found at " << corpus;
  }
  absl::StatusOr<std::vector<std::string>> scripts = CollectScripts({corpus});
  ASSERT_TRUE(scripts.ok()) << scripts.status();
  Tally tally;
  for (const std::string& path : *scripts) {
    const ScriptResult r = RunScript(path, RunOptions{.verbose = true});
    tally.Add(r.verdict);
    if (r.verdict.kind != Verdict::Kind::kPass) {
      EXPECT_FALSE(r.verdict.message.empty()) << path;
    }
    if (r.verdict.kind == Verdict::Kind::kFail) {
      EXPECT_GT(r.verdict.line, 0) << path;
    }
  }
  EXPECT_EQ(tally.passed + tally.failed + tally.unsupported, static_cast<int>(scripts->size()));
  std::cout << tally.Summary() << "\n";
}

}  // namespace
}  // namespace tcpaas::conformance
