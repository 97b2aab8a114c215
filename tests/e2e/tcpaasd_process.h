// One tcpaasd for one test: started in sandbox mode with a unique namespace name and free
// ports, stopped with SIGTERM. Its stdout and stderr go to a log file in the artifacts
// directory ($TCPAAS_ARTIFACTS_DIR, else /tmp).
#ifndef TCPAAS_TESTS_E2E_TCPAASD_PROCESS_H_
#define TCPAAS_TESTS_E2E_TCPAASD_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"

namespace tcpaas::e2e {

// The sandbox's fixed address plan (DESIGN.md): kernel side .1 with the built-in services,
// the stack .2.
inline constexpr char kKernelAddress[] = "198.18.0.1";
inline constexpr char kStackAddress[] = "198.18.0.2";
inline constexpr uint32_t kEchoPort = 7;
inline constexpr uint32_t kDiscardPort = 9;
inline constexpr uint32_t kChargenPort = 19;
inline constexpr uint32_t kHttpPort = 80;

class Tcpaasd {
 public:
  // Starts `binary` and waits until its gRPC service answers. `tag` names the test in the
  // namespace and log names ([a-z0-9-]). `extra_flags` are appended to the command line.
  static absl::StatusOr<std::unique_ptr<Tcpaasd>> Start(
      const std::string& binary, absl::string_view tag,
      const std::vector<std::string>& extra_flags = {});

  // Kills the daemon if Stop() did not run, and removes its namespace if it is left over.
  ~Tcpaasd();
  Tcpaasd(const Tcpaasd&) = delete;
  Tcpaasd& operator=(const Tcpaasd&) = delete;

  // SIGTERM, then waits for the drain. Error unless it exits with status 0 within `timeout`
  // seconds and its namespace is gone.
  absl::Status Stop(int timeout_seconds = 30);

  pid_t pid() const { return pid_; }
  const std::string& grpc_target() const { return grpc_target_; }  // "127.0.0.1:PORT"
  uint16_t metrics_port() const { return metrics_port_; }
  const std::string& sandbox() const { return sandbox_; }  // namespace name
  const std::string& log_path() const { return log_path_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // The daemon's resident set (VmRSS), in bytes.
  absl::StatusOr<uint64_t> RssBytes() const;
  // The last `max_bytes` of its log.
  std::string LogTail(size_t max_bytes = 8192) const;

 private:
  Tcpaasd() = default;

  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string grpc_target_;
  uint16_t metrics_port_ = 0;
  std::string sandbox_;
  std::string log_path_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
absl::StatusOr<uint16_t> PickFreePort();

// True if namespace `name` exists (/var/run/netns/<name>).
bool NetnsExists(const std::string& name);

}  // namespace tcpaas::e2e

#endif  // TCPAAS_TESTS_E2E_TCPAASD_PROCESS_H_
