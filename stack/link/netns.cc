#include "stack/link/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tcpaas::link {
namespace {

// The calling thread's own namespace (not the process's: threads may differ).
constexpr char kThreadNetns[] = "/proc/thread-self/ns/net";

}  // namespace

std::string NetnsPath(std::string_view name) {
  if (!name.empty() && name.front() == '/') return std::string(name);
  return absl::StrCat("/var/run/netns/", absl::string_view(name.data(), name.size()));
}

absl::StatusOr<std::unique_ptr<ScopedNetns>> ScopedNetns::Enter(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("network namespace name is empty");
  std::string path = NetnsPath(name);

  const int target = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return absl::NotFoundError(absl::StrCat("network namespace ", path,
                                              " does not exist (create it with `ip netns add ",
                                              std::string(name), "`)"));
    }
    return absl::UnavailableError(absl::StrCat("open ", path, ": ", std::strerror(err)));
  }
  const int original = open(kThreadNetns, O_RDONLY | O_CLOEXEC);
  if (original < 0) {
    const int err = errno;
    close(target);
    return absl::UnavailableError(
        absl::StrCat("open ", kThreadNetns, ": ", std::strerror(err), " (is /proc mounted?)"));
  }
  if (setns(target, CLONE_NEWNET) != 0) {
    const int err = errno;
    close(target);
    close(original);
    if (err == EPERM) {
      return absl::PermissionDeniedError(
          absl::StrCat("setns ", path, ": ", std::strerror(err),
                       " (entering a network namespace needs root or CAP_SYS_ADMIN)"));
    }
    if (err == EINVAL) {
      return absl::InvalidArgumentError(absl::StrCat("setns ", path, ": not a network namespace"));
    }
    return absl::UnavailableError(absl::StrCat("setns ", path, ": ", std::strerror(err)));
  }
  close(target);
  return std::unique_ptr<ScopedNetns>(new ScopedNetns(std::move(path), original));
}

absl::Status ScopedNetns::Leave() {
  if (original_fd_ < 0) return absl::OkStatus();
  const int rc = setns(original_fd_, CLONE_NEWNET);
  const int err = errno;
  close(original_fd_);
  original_fd_ = -1;
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("setns back from ", path_, ": ", std::strerror(err),
                                            " (this thread stays inside the namespace)"));
  }
  return absl::OkStatus();
}

ScopedNetns::~ScopedNetns() {
  if (absl::Status s = Leave(); !s.ok()) {
    // A thread stuck in the wrong namespace would send traffic to the wrong place: say so.
    std::fprintf(stderr, "tcpaas: %s\n", s.ToString().c_str());
  }
}

}  // namespace tcpaas::link
