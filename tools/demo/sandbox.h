// The demo's private network: a network namespace made with `ip netns add`, removed again by
// the destructor. Nothing outside the namespace is changed.
#ifndef TCPAAS_TOOLS_DEMO_SANDBOX_H_
#define TCPAAS_TOOLS_DEMO_SANDBOX_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tcpaas::demo {

// Runs argv (no shell) and waits; an error carries the command line and its output.
absl::Status RunCommand(const std::vector<std::string>& argv);

class Sandbox {
 public:
  // Removes a leftover namespace of that name (an earlier run that was killed), then creates
  // it and brings its loopback up.
  static absl::StatusOr<std::unique_ptr<Sandbox>> Create(const std::string& name);
  ~Sandbox();  // ip netns del
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const std::string& name() const { return name_; }
  // `ip -n <name> args...`
  absl::Status Ip(const std::vector<std::string>& args) const;

 private:
  explicit Sandbox(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

}  // namespace tcpaas::demo

#endif  // TCPAAS_TOOLS_DEMO_SANDBOX_H_
