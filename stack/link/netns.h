// Moves the calling thread into a named network namespace for a scope.
//
// Linux keeps the network namespace per thread: setns(CLONE_NEWNET) changes it for the caller
// only, and every socket or device opened afterwards belongs to the namespace it was opened
// in, for its whole life. That is how TapDevice::Create() makes a TAP inside a namespace and
// how tests open kernel sockets inside one while the rest of the process stays outside.
// Threads that already run are not moved; threads started while inside begin inside.
#ifndef TCPAAS_STACK_LINK_NETNS_H_
#define TCPAAS_STACK_LINK_NETNS_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tcpaas::link {

// "/var/run/netns/<name>" for a bare name (as made by `ip netns add <name>`), the name itself
// when it is an absolute path (e.g. "/proc/<pid>/ns/net").
std::string NetnsPath(std::string_view name);

class ScopedNetns {
 public:
  // Enters the namespace. Errors name the cause and the fix (missing namespace, privileges).
  static absl::StatusOr<std::unique_ptr<ScopedNetns>> Enter(std::string_view name);

  // Returns to the namespace the thread was in before Enter(). Must run on the thread that
  // called Enter(). Called by the destructor if not called before; idempotent.
  absl::Status Leave();
  ~ScopedNetns();

  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;

  const std::string& path() const { return path_; }

 private:
  ScopedNetns(std::string path, int original_fd)
      : path_(std::move(path)), original_fd_(original_fd) {}

  std::string path_;
  int original_fd_;  // the thread's namespace before Enter(); -1 once left
};

}  // namespace tcpaas::link

#endif  // TCPAAS_STACK_LINK_NETNS_H_
