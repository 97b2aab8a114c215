#include "server/network/command.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

extern char** environ;

namespace tcpaas::server {

CommandOutcome RunProgram(const std::vector<std::string>& argv, const std::string& input) {
  CommandOutcome outcome;
  if (argv.empty()) return outcome;
  int out_pipe[2];
  int in_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    outcome.output = absl::StrCat("pipe: ", std::strerror(errno));
    return outcome;
  }
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    outcome.output = absl::StrCat("pipe: ", std::strerror(errno));
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return outcome;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out_pipe[1]);
  ::close(in_pipe[0]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    ::close(in_pipe[1]);
    outcome.output = absl::StrCat("cannot run ", argv[0], ": ", std::strerror(spawned));
    return outcome;
  }
  // Feed stdin from another thread so a chatty child cannot deadlock on a full pipe.
  std::thread feeder([fd = in_pipe[1], &input] {
    size_t done = 0;
    while (done < input.size()) {
      const ssize_t n = ::write(fd, input.data() + done, input.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  });
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(out_pipe[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    outcome.output.append(buf, static_cast<size_t>(n));
  }
  ::close(out_pipe[0]);
  feeder.join();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.exit_code = 128 + WTERMSIG(status);
  }
  return outcome;
}

absl::Status RunChecked(const std::vector<std::string>& argv, const std::string& hint,
                        const std::string& input) {
  const CommandOutcome outcome = RunProgram(argv, input);
  if (outcome.exit_code == 0) return absl::OkStatus();
  std::string message =
      absl::StrCat("`", absl::StrJoin(argv, " "), "` failed (exit ", outcome.exit_code,
                   "): ", absl::StripAsciiWhitespace(outcome.output));
  if (outcome.exit_code == 127 && !hint.empty()) absl::StrAppend(&message, " (", hint, ")");
  return absl::FailedPreconditionError(message);
}

}  // namespace tcpaas::server
