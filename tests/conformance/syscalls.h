// The script's system calls on the stack's socket-like API: a table of script file
// descriptors, each a socket with its options, listener or connection. Calls follow Linux's
// semantics where the corpus depends on them (buffer sizes reported doubled, fcntl flags,
// errno values); what the TCP layer's API cannot express is reported as unsupported.
#ifndef TCPAAS_TESTS_CONFORMANCE_SYSCALLS_H_
#define TCPAAS_TESTS_CONFORMANCE_SYSCALLS_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "stack/base/time.h"
#include "stack/tcp/tcp_layer.h"
#include "tests/conformance/script.h"
#include "tests/conformance/script_connection.h"
#include "tests/conformance/setup.h"

namespace tcpaas::conformance {

struct CallResult {
  enum class Kind {
    kDone,         // returned `ret` (and `err` when ret is -1)
    kWouldBlock,   // a blocking call that must wait for the stack
    kUnsupported,  // the runner cannot honour the call: `message` says why
    kScriptError,  // the script's call is malformed: `message` says why
  };
  Kind kind = Kind::kDone;
  int64_t ret = 0;
  int err = 0;
  std::string message;
  // kDone: an output argument that differs from the script's (getsockopt, ioctl, poll),
  // checked after the return value as packetdrill does.
  std::optional<std::string> output_mismatch;

  static CallResult Done(int64_t ret) { return CallResult{Kind::kDone, ret, 0, "", {}}; }
  static CallResult Error(int err) { return CallResult{Kind::kDone, -1, err, "", {}}; }
  static CallResult Block() { return CallResult{Kind::kWouldBlock, 0, 0, "", {}}; }
  static CallResult Unsupported(std::string why) {
    return CallResult{Kind::kUnsupported, 0, 0, std::move(why), {}};
  }
  static CallResult ScriptError(std::string why) {
    return CallResult{Kind::kScriptError, 0, 0, std::move(why), {}};
  }
};

class SocketTable {
 public:
  SocketTable(tcp::TcpLayer* tcp, const ScriptSetup* setup, ScriptConnection* conn)
      : tcp_(tcp), setup_(setup), conn_(conn) {}

  // One attempt at `call`. `first` is true when the call starts, false when a blocked call
  // is retried after the stack moved (progress such as bytes written is kept in between).
  CallResult Attempt(const SyscallSpec& call, Instant now, bool first);

  // The connection most recently opened by accept() or connect(): the one %{ }% blocks read.
  std::optional<tcp::ConnId> last_connection() const { return last_connection_; }

  // When a blocked poll() with a timeout gives up, so the executor wakes for it.
  std::optional<Instant> PendingDeadline() const { return poll_deadline_; }

 private:
  struct Socket {
    bool nonblocking = false;
    tcp::ConnectionOptions options;
    bool listening = false;
    tcp::ListenerId listener;
    std::deque<tcp::ConnId> accepted;  // taken from the layer, not yet returned by accept()
    std::optional<tcp::ConnId> conn;
    bool connect_reported = false;  // a non-blocking connect's outcome was seen
    int so_error = 0;
    bool shut_rd = false;
    bool shut_wr = false;
    bool reuse_addr = false;
    bool cork = false;  // TCP_CORK; a listener's is inherited by what it accepts, as on Linux
    Port bind_port;
  };

  Socket* Find(int64_t fd);
  CallResult OpenSocket(const SyscallSpec& c);
  CallResult Bind(const SyscallSpec& c);
  CallResult Listen(const SyscallSpec& c);
  CallResult Accept(const SyscallSpec& c, Instant now);
  CallResult Connect(const SyscallSpec& c, Instant now, bool first);
  CallResult Write(const SyscallSpec& c, Instant now, bool first);
  CallResult Read(const SyscallSpec& c, Instant now);
  CallResult Shutdown(const SyscallSpec& c, Instant now);
  CallResult Close(const SyscallSpec& c, Instant now);
  CallResult SetSockOpt(const SyscallSpec& c, Instant now);
  CallResult GetSockOpt(const SyscallSpec& c, Instant now);
  CallResult Fcntl(const SyscallSpec& c);
  CallResult Ioctl(const SyscallSpec& c);
  CallResult Poll(const SyscallSpec& c);

  // Moves every connection the layer has ready for `s` into its accept queue.
  void DrainAccepts(Socket& s);
  // errno for a connection the layer reports closed (refused, reset, timed out, ...).
  int CloseErrno(tcp::ConnId id) const;
  int PollEvents(Socket& s);

  tcp::TcpLayer* tcp_;
  const ScriptSetup* setup_;
  ScriptConnection* conn_;
  std::map<int64_t, Socket> sockets_;
  std::optional<tcp::ConnId> last_connection_;
  size_t written_ = 0;                    // progress of a blocked write
  std::optional<Instant> poll_deadline_;  // a blocked poll() gives up then
};

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_SYSCALLS_H_
