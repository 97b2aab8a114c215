// The demo's applications on our stack, run on the stack thread as its TcpEventHandler:
//  - an echo service (RFC 862) on port 7;
//  - a tiny HTTP/1.1 responder on port 80 whose page shows the request's own TCP stats;
//  - an echo probe: one active open from our stack that sends a line and waits for it back.
#ifndef TCPAAS_TOOLS_DEMO_DEMO_SERVICES_H_
#define TCPAAS_TOOLS_DEMO_DEMO_SERVICES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "stack/runtime/stack_thread.h"
#include "stack/tcp/tcp_layer.h"
#include "stack/tcp/types.h"

namespace tcpaas::demo {

inline constexpr Port kEchoPort(7);
inline constexpr Port kHttpPort(80);

struct ProbeResult {
  std::string echoed;         // what came back
  tcp::TcpStats stats;        // the connection's stats once the echo arrived
  absl::Duration round_trip;  // connect + send + echo, as the caller saw it
};

class DemoServices : public tcp::TcpEventHandler {
 public:
  DemoServices() : scratch_(16 * 1024) {}

  // Becomes `thread`'s event handler; call before thread.Start().
  void Attach(runtime::StackThread& thread);
  // Listens on kEchoPort and kHttpPort.
  absl::Status Listen(runtime::StackThread& thread);
  // Connects from our stack to `remote`, sends `line` and waits (up to `timeout`) until as many
  // bytes came back; then closes the connection.
  absl::StatusOr<ProbeResult> ProbeEcho(runtime::StackThread& thread, Endpoint remote,
                                        const std::string& line, absl::Duration timeout);

  int echo_connections() const { return echo_connections_.load(); }
  int http_requests() const { return http_requests_.load(); }

  // tcp::TcpEventHandler (stack thread).
  void OnTcpEvent(const tcp::TcpEvent& event) override;

 private:
  enum class Kind { kEcho, kHttp, kProbe };
  struct Conn {
    Kind kind;
    tcp::ConnId id;
    std::string in;          // HTTP request or probe echo received so far
    std::string out;         // bytes waiting for room in the send buffer
    bool eof = false;        // the peer's FIN was read
    bool responded = false;  // HTTP: the response is built (in `out` or sent)
    bool finished = false;   // closed by us; forget it
    bool busy = false;       // Serve() is on the stack (events raised by our own calls)
    bool again = false;
  };
  // The probe's outcome, handed from the stack thread to the waiting caller.
  struct Probe {
    absl::Mutex mu;
    bool done ABSL_GUARDED_BY(mu) = false;
    absl::Status status ABSL_GUARDED_BY(mu);
    ProbeResult result ABSL_GUARDED_BY(mu);
    std::string line;  // set before the connection opens
  };

  void Adopt(tcp::ConnId id, Kind kind);
  void Serve(Conn& conn);
  void ServeEcho(Conn& conn, Instant now);
  void ServeHttp(Conn& conn, Instant now);
  void ServeProbe(Conn& conn, Instant now);
  void OnClosed(Conn& conn, CloseReason reason);
  void FinishProbe(absl::Status status, const tcp::TcpStats* stats);
  // Sends conn.out as far as it fits; true when all of it went.
  bool Flush(Conn& conn, Instant now);
  void Finish(Conn& conn, Instant now);
  std::string HttpResponse(const Conn& conn);

  // Stack thread only.
  runtime::StackThread* thread_ = nullptr;
  tcp::TcpLayer* tcp_ = nullptr;
  absl::flat_hash_map<uint64_t, Kind> listeners_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Conn>> conns_;
  std::vector<uint8_t> scratch_;
  std::shared_ptr<Probe> probe_;

  std::atomic<int> echo_connections_{0};
  std::atomic<int> http_requests_{0};
};

}  // namespace tcpaas::demo

#endif  // TCPAAS_TOOLS_DEMO_DEMO_SERVICES_H_
