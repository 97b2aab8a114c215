#include "tools/demo/sandbox.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace tcpaas::demo {

absl::Status RunCommand(const std::vector<std::string>& argv) {
  const std::string line = absl::StrJoin(argv, " ");
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(out[0]);
    close(out[1]);
    return absl::ErrnoToStatus(errno, "fork");
  }
  if (pid == 0) {
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    execvp(args[0], args.data());
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", args[0], strerror(errno));
    _exit(127);
  }
  close(out[1]);
  std::string output;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) != 0) {
    if (n > 0) {
      output.append(buf, static_cast<size_t>(n));
    } else if (errno != EINTR) {
      break;
    }
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat("`", line, "` failed: ", absl::StripTrailingAsciiWhitespace(output)));
}

absl::StatusOr<std::unique_ptr<Sandbox>> Sandbox::Create(const std::string& name) {
  // A namespace left behind by a run that was killed: remove it first (failure is fine).
  RunCommand({"ip", "netns", "del", name}).IgnoreError();
  if (absl::Status s = RunCommand({"ip", "netns", "add", name}); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot create network namespace ", name,
                                               " (is iproute2 installed?): ", s.message()));
  }
  auto sandbox = std::unique_ptr<Sandbox>(new Sandbox(name));
  if (absl::Status s = sandbox->Ip({"link", "set", "lo", "up"}); !s.ok()) return s;
  return sandbox;
}

Sandbox::~Sandbox() {
  if (absl::Status s = RunCommand({"ip", "netns", "del", name_}); !s.ok()) {
    std::fprintf(stderr, "tcpaas-demo: removing namespace %s: %s\n", name_.c_str(),
                 s.ToString().c_str());
  }
}

absl::Status Sandbox::Ip(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"ip", "-n", name_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

}  // namespace tcpaas::demo
