// Runs external programs from tests (ip, tcpdump, ...) without a shell.
#ifndef TCPAAS_TESTS_SUPPORT_COMMAND_H_
#define TCPAAS_TESTS_SUPPORT_COMMAND_H_

#include <string>
#include <vector>

namespace tcpaas::test {

struct CommandResult {
  int exit_code;  // the exit status; 128 + N when killed by signal N; 127 if it could not start
  std::string output;  // stdout and stderr, interleaved as written
};

// Runs argv[0] (looked up in PATH) with argv, waits for it, and captures its output. stdin is
// /dev/null. Safe to call from several threads.
CommandResult RunCommand(const std::vector<std::string>& argv);

// "ip netns add x" style rendering of argv, for messages.
std::string CommandLine(const std::vector<std::string>& argv);

// True when `program` is found in PATH (or is an executable path).
bool HaveProgram(const std::string& program);

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_COMMAND_H_
