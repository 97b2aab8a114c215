// What became of one script, and the runner's output format (issue 4):
//   PASS path
//   FAIL path:line: expected ... got ...
//   UNSUPPORTED path: reason
// and, after all scripts, exactly "conformance: P passed, F failed, U unsupported".
#ifndef TCPAAS_TESTS_CONFORMANCE_VERDICT_H_
#define TCPAAS_TESTS_CONFORMANCE_VERDICT_H_

#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace tcpaas::conformance {

struct Verdict {
  enum class Kind { kPass, kFail, kUnsupported };
  Kind kind = Kind::kPass;
  int line = 0;         // kFail: the script line of the first mismatch (0: none applies)
  std::string message;  // kFail: what was expected and what happened; kUnsupported: why

  static Verdict Pass() { return Verdict(); }
  static Verdict Fail(int line, std::string message) {
    return Verdict{Kind::kFail, line, std::move(message)};
  }
  static Verdict Unsupported(std::string reason) {
    return Verdict{Kind::kUnsupported, 0, std::move(reason)};
  }
};

// One output line, without a newline. Line breaks inside the message become "; ".
std::string FormatVerdict(absl::string_view path, const Verdict& v);

struct Tally {
  int passed = 0;
  int failed = 0;
  int unsupported = 0;

  void Add(const Verdict& v);
  std::string Summary() const;  // "conformance: P passed, F failed, U unsupported"
};

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_VERDICT_H_
