// What every RPC of the service shares: the stack (through the StackExecutor), the registry
// of connections, the table of listeners, the call and flow-control counters, and the drain.
//
// The registry and the listener table live on the stack thread; the counters and the drain
// flag may be read from any thread.
#ifndef TCPAAS_SERVER_SERVICE_SERVICE_CORE_H_
#define TCPAAS_SERVER_SERVICE_SERVICE_CORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "server/service/call_counter.h"
#include "server/service/connection_registry.h"
#include "server/service/stack_executor.h"
#include "stack/base/time.h"
#include "stack/runtime/stack_thread.h"
#include "stack/tcp/types.h"

namespace tcpaas::server {

struct ServiceOptions {
  // Ids held at a time (Connect, Dial and accepted connections): RESOURCE_EXHAUSTED beyond.
  size_t max_connections = 4096;
  // Per-connection defaults; a client's ConnectionOptions override the fields it sets.
  tcp::ConnectionOptions connection_defaults;
  // RecvRequest.max_message_bytes: 0 means the default; larger values are capped.
  uint32_t default_recv_message_bytes = 64 * 1024;
  uint32_t max_recv_message_bytes = 1024 * 1024;
};

// A Listen call waiting for connections (stack thread).
class ListenerObserver {
 public:
  virtual ~ListenerObserver() = default;
  virtual void OnAcceptReady(Host& host, Instant now) = 0;
  // The listener was closed by the server (drain); the observer is already unregistered.
  virtual void OnListenerClosed(const absl::Status& why, Host& host, Instant now) = 0;
};

// Counters shown as tcpaas_flow_control_pauses_total{direction}.
struct FlowControlCounters {
  // A Send message waited for room in the TCP send buffer.
  std::atomic<uint64_t> send_pauses{0};
  // Received data waited while a Recv (or Dial) write to the client was in flight.
  std::atomic<uint64_t> recv_pauses{0};
};

class ServiceCore {
 public:
  ServiceCore(runtime::StackThread* stack, const ServiceOptions& options);
  ServiceCore(const ServiceCore&) = delete;
  ServiceCore& operator=(const ServiceCore&) = delete;

  const ServiceOptions& options() const { return options_; }
  StackExecutor& executor() { return executor_; }
  runtime::StackThread& stack() { return *stack_; }
  CallCounter& calls() { return calls_; }
  FlowControlCounters& flow() { return flow_; }

  // Reactors alive (constructed, not yet deleted): the daemon waits for none before it
  // destroys the core.
  void ReactorStarted() { reactors_.fetch_add(1, std::memory_order_relaxed); }
  void ReactorDone() { reactors_.fetch_sub(1, std::memory_order_acq_rel); }
  int64_t live_reactors() const { return reactors_.load(std::memory_order_acquire); }

  // --- Stack thread only ---------------------------------------------------------------
  ConnectionRegistry& registry() { return registry_; }
  void AddListener(tcp::ListenerId id, ListenerObserver* observer);
  void RemoveListener(tcp::ListenerId id);

  // --- Draining (SIGTERM) --------------------------------------------------------------
  bool draining() const { return draining_.load(std::memory_order_acquire); }
  // Any thread: from now on new RPCs are refused with UNAVAILABLE.
  void SetDraining() { draining_.store(true, std::memory_order_release); }
  // Stack thread: closes every listener, aborts connections still opening, tells the streams
  // and sends FIN on every other connection.
  void BeginDrain(Host& host, Instant now);
  // Stack thread: connections whose two directions are not both finished yet.
  size_t UnfinishedConnections() const;
  // Stack thread: releases every id, aborting (RST) connections that are not finished.
  void ReleaseAll(const absl::Status& why, Host& host, Instant now);

 private:
  void OnEvent(const tcp::TcpEvent& event, Host& host, Instant now);
  // The registered handles, in registration order (a snapshot: observers may release
  // entries while the caller walks it).
  std::vector<tcp::ConnId> Handles() const;

  const ServiceOptions options_;
  runtime::StackThread* stack_;
  StackExecutor executor_;
  CallCounter calls_;
  FlowControlCounters flow_;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> reactors_{0};
  ConnectionRegistry registry_;                                        // stack thread
  absl::flat_hash_map<tcp::ListenerId, ListenerObserver*> listeners_;  // stack thread
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_SERVICE_CORE_H_
