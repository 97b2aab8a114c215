// Runs the administration programs the network modes need (ip, nft) without a shell.
#ifndef TCPAAS_SERVER_NETWORK_COMMAND_H_
#define TCPAAS_SERVER_NETWORK_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace tcpaas::server {

struct CommandOutcome {
  int exit_code = 127;  // 128 + N when killed by signal N; 127 when it could not start
  std::string output;   // stdout and stderr together
};

// Runs argv[0] (looked up in PATH) with `input` on stdin, waits, and captures its output.
// The child starts with no signal blocked (tcpaasd blocks SIGINT/SIGTERM in its threads).
CommandOutcome RunProgram(const std::vector<std::string>& argv, const std::string& input = "");

// OK when the program exits 0; otherwise an error quoting the command line and its output.
// A missing program says which package provides it (`hint`).
absl::Status RunChecked(const std::vector<std::string>& argv, const std::string& hint = "",
                        const std::string& input = "");

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_NETWORK_COMMAND_H_
