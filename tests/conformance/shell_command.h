// Splits the text of a `backtick` block (or of defaults.sh) into simple shell commands, so the
// runner can recognise the few it knows (sysctl, set_sysctls.py, ip route, tc, ethtool, ...)
// without running a shell. It understands what the packetdrill corpus uses: newlines, ';',
// '&&' and '||' between commands, '\' line continuations, '#' comments, '...' and "..."
// quoting, redirections (kept apart from the words) and $((integer arithmetic)). Variables
// such as ${PPID} are left as written.
#ifndef TCPAAS_TESTS_CONFORMANCE_SHELL_COMMAND_H_
#define TCPAAS_TESTS_CONFORMANCE_SHELL_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tcpaas::conformance {

struct ShellCommand {
  std::vector<std::string> words;      // after quote removal and arithmetic expansion
  std::vector<std::string> redirects;  // e.g. "> /dev/null", "2>&1", "> /sys/..."
  int line = 0;                        // 0-based line of the text where the command starts
  std::string ToString() const;        // the words joined by spaces
};

// Errors: an unterminated quote or $((, an arithmetic expression that does not evaluate.
absl::StatusOr<std::vector<ShellCommand>> SplitShellCommands(absl::string_view text);

// Evaluates the inside of $(( )): integers, + - * / % and parentheses.
absl::StatusOr<long long> EvaluateShellArithmetic(absl::string_view expr);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_SHELL_COMMAND_H_
