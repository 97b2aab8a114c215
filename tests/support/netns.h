// Network namespaces for tests that touch real devices (TAP tests, interop, e2e).
//
// Every such test makes its own namespace, puts its devices and kernel peers inside it, uses
// addresses from 198.18.0.0/15 only, and leaves nothing behind: TestNetns deletes its
// namespace (and with it every device inside) in its destructor, also when the test fails;
// RemoveStaleTestNamespaces() removes the namespaces of runs that crashed.
#ifndef TCPAAS_TESTS_SUPPORT_NETNS_H_
#define TCPAAS_TESTS_SUPPORT_NETNS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/support/command.h"

namespace tcpaas::test {

// True when running as root with /dev/net/tun present and openable, and `ip` (iproute2)
// installed; otherwise sets *reason to one line saying what is missing. Tests skip with it:
//   if (std::string why; !CanUseNetworkDevices(&why)) GTEST_SKIP() << why;
bool CanUseNetworkDevices(std::string* reason);

// A network namespace made with `ip netns add`, deleted with everything in it when destroyed.
class TestNetns {
 public:
  // Name "tcpaas-<tag>-<pid>-<n>": unique across concurrent test processes (pid) and within
  // one (n). `tag` says which test made it ([a-z0-9_-], at most 32 characters). The loopback
  // interface inside is brought up. Also removes stale namespaces of crashed runs, once per
  // process.
  static absl::StatusOr<std::unique_ptr<TestNetns>> Create(std::string_view tag);
  ~TestNetns();  // ip netns del (also removes the devices inside)

  TestNetns(const TestNetns&) = delete;
  TestNetns& operator=(const TestNetns&) = delete;

  const std::string& name() const { return name_; }
  // "/var/run/netns/<name>", for link::ScopedNetns and TapOptions::netns.
  std::string path() const;

  // Runs `ip netns exec <name> argv...`; an error carrying the command and its output when
  // it exits non-zero.
  absl::Status Exec(const std::vector<std::string>& argv);
  // Exec() of each command in turn, up to the first that fails.
  absl::Status ExecAll(const std::vector<std::vector<std::string>>& commands);
  CommandResult Run(const std::vector<std::string>& argv);

 private:
  explicit TestNetns(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// Deletes leftover namespaces named tcpaas-*-<pid>-<n> whose pid is no longer alive (runs
// that crashed before their destructors ran). Namespaces of live processes are left alone.
void RemoveStaleTestNamespaces();

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_NETNS_H_
