// The kernel-side services of the sandbox: echo (7), discard (9), chargen (19) and HTTP (80)
// on the kernel's address inside the sandbox namespace, so every RPC can be tried at once.
//
// Listening sockets are opened inside the namespace (the thread enters it with ScopedNetns
// just for the socket() calls; a socket keeps its namespace for life). One thread serves all
// connections with epoll; sockets are non-blocking and connections are bounded.
#ifndef TCPAAS_SERVER_SANDBOX_SANDBOX_SERVICES_H_
#define TCPAAS_SERVER_SANDBOX_SANDBOX_SERVICES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/sandbox/http_exchange.h"
#include "server/sandbox/session.h"
#include "stack/wire/addr.h"

namespace tcpaas::server {

struct SandboxServicesOptions {
  std::string netns;  // "" for the caller's namespace (tests)
  Ipv4Address address = Ipv4Address::FromOctets(198, 18, 0, 1);
  // Port 0 leaves a service out.
  uint16_t echo_port = 7;
  uint16_t discard_port = 9;
  uint16_t chargen_port = 19;
  uint16_t http_port = 80;
  size_t max_connections = 1024;  // beyond: accepted and closed at once
  uint64_t max_http_body_bytes = kDefaultMaxHttpBodyBytes;
};

class SandboxServices {
 public:
  // Opens the listeners and starts the thread. Errors name the port and the cause.
  static absl::StatusOr<std::unique_ptr<SandboxServices>> Start(
      const SandboxServicesOptions& options);
  ~SandboxServices();  // Stop()
  SandboxServices(const SandboxServices&) = delete;
  SandboxServices& operator=(const SandboxServices&) = delete;

  // Ends the thread and closes every socket. Idempotent.
  void Stop();

  size_t connection_count() const { return connections_.load(std::memory_order_relaxed); }
  // "echo 7, discard 9, chargen 19, http 80".
  std::string Describe() const;

 private:
  struct Listener {
    int fd = -1;
    SandboxService service;
    uint16_t port = 0;
  };
  struct Connection {
    std::unique_ptr<Session> session;
    uint32_t events = 0;  // registered epoll interest
  };

  explicit SandboxServices(const SandboxServicesOptions& options) : options_(options) {}
  absl::Status Open();
  void Run();
  void Accept(const Listener& listener);
  void Serve(int fd, uint32_t events);
  void Apply(int fd, Connection& connection, const SessionInterest& interest);
  void Drop(int fd);

  SandboxServicesOptions options_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::vector<Listener> listeners_;
  absl::flat_hash_map<int, Connection> sessions_;  // the loop thread only
  std::atomic<size_t> connections_{0};
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SANDBOX_SANDBOX_SERVICES_H_
