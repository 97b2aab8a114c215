#include "tests/conformance/runner.h"

#include <filesystem>
#include <optional>
#include <string>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "tests/conformance/executor.h"
#include "tests/conformance/parser.h"
#include "tests/conformance/setup.h"
#include "tests/conformance/support_check.h"

namespace tcpaas::conformance {
namespace {

// Errors carry "path:line[:column]: message"; a verdict wants the line apart.
Verdict FailFromError(const std::string& path, absl::string_view error) {
  absl::string_view rest = error;
  int line = 0;
  if (absl::ConsumePrefix(&rest, path) && absl::ConsumePrefix(&rest, ":")) {
    const size_t colon = rest.find(':');
    if (colon != absl::string_view::npos && absl::SimpleAtoi(rest.substr(0, colon), &line)) {
      rest.remove_prefix(colon + 1);
      absl::ConsumePrefix(&rest, " ");
      size_t column_end = rest.find(':');
      int column = 0;
      if (column_end != absl::string_view::npos &&
          absl::SimpleAtoi(rest.substr(0, column_end), &column)) {
        rest.remove_prefix(column_end + 1);
        absl::ConsumePrefix(&rest, " ");
        return Verdict::Fail(line, absl::StrCat("column ", column, ": ", rest));
      }
      return Verdict::Fail(line, absl::StrCat(rest));
    }
    line = 0;
  }
  return Verdict::Fail(0, absl::StrCat(error));
}

// Timed `commands` are mapped like the init command; the executor applies what may change
// mid-run, so here only their support is judged.
std::optional<std::string> CheckTimedCommands(const Script& script, const ScriptSetup& setup) {
  const std::string dir = std::filesystem::path(script.path).parent_path().string();
  for (const Event& e : script.events) {
    const auto* cmd = std::get_if<CommandSpec>(&e.action);
    if (cmd == nullptr) continue;
    ScriptSetup copy = setup;
    copy.unsupported.reset();
    absl::Status s = ApplyShellText(cmd->text, SettingOrigin::kScript, dir, &copy);
    if (!s.ok()) return absl::StrCat("line ", e.location.line, ": ", s.message());
    if (copy.unsupported) return absl::StrCat("line ", e.location.line, ": ", *copy.unsupported);
  }
  return std::nullopt;
}

ScriptResult RunParsed(const std::string& path, const absl::StatusOr<Script>& script,
                       const RunOptions& options) {
  ScriptResult result;
  if (!script.ok()) {
    result.verdict = FailFromError(path, script.status().message());
    return result;
  }
  absl::StatusOr<ScriptSetup> setup = BuildSetup(*script, ScriptSetup());
  if (!setup.ok()) {
    result.verdict = FailFromError(path, setup.status().message());
    return result;
  }
  if (options.verbose) {
    for (const std::string& d : setup->differences) {
      result.log.push_back(absl::StrCat("known difference from Linux: ", d));
    }
  }
  if (setup->unsupported) {
    result.verdict = Verdict::Unsupported(*setup->unsupported);
    return result;
  }
  if (std::optional<std::string> why = FindUnsupportedFeature(*script)) {
    result.verdict = Verdict::Unsupported(*why);
    return result;
  }
  if (std::optional<std::string> why = CheckTimedCommands(*script, *setup)) {
    result.verdict = Verdict::Unsupported(*why);
    return result;
  }
  Executor executor(*script, *setup, options.verbose ? &result.log : nullptr);
  result.verdict = executor.Run();
  return result;
}

}  // namespace

ScriptResult RunScript(const std::string& path, const RunOptions& options) {
  return RunParsed(path, ParseScriptFile(path), options);
}

ScriptResult RunScriptText(absl::string_view text, const std::string& path,
                           const RunOptions& options) {
  return RunParsed(path, ParseScript(text, path), options);
}

}  // namespace tcpaas::conformance
