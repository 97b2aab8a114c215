// An echo server on the Linux kernel's own TCP, inside the demo's namespace: the peer our
// stack connects to. Its listening socket is opened while the calling thread is inside the
// namespace (link::ScopedNetns), so it stays there; one background thread serves it.
#ifndef TCPAAS_TOOLS_DEMO_KERNEL_ECHO_SERVER_H_
#define TCPAAS_TOOLS_DEMO_KERNEL_ECHO_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "stack/wire/addr.h"

namespace tcpaas::demo {

class KernelEchoServer {
 public:
  static absl::StatusOr<std::unique_ptr<KernelEchoServer>> Start(const std::string& netns,
                                                                 Endpoint listen_at);
  ~KernelEchoServer();  // stops and joins
  KernelEchoServer(const KernelEchoServer&) = delete;
  KernelEchoServer& operator=(const KernelEchoServer&) = delete;

  int connections_served() const { return served_.load(); }

 private:
  explicit KernelEchoServer(int listen_fd);
  void Serve();
  void Echo(int fd);

  int listen_fd_;
  std::atomic<bool> stop_{false};
  std::atomic<int> served_{0};
  std::thread thread_;
};

}  // namespace tcpaas::demo

#endif  // TCPAAS_TOOLS_DEMO_KERNEL_ECHO_SERVER_H_
