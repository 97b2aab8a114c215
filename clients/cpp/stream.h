// One TCP connection carried by tcpaasd, used like a socket: Write, Read, ShutdownWrite, Close.
//
// Two transports carry a Stream (chosen in ConnectOptions):
//  - Dial: the whole connection on one bidirectional `Dial` call. Half-closing the request
//    stream sends FIN; cancelling the call aborts the connection (RST).
//  - Send/Recv: `Connect` (or an accepted connection from `Listen`), then one `Send` call for
//    everything written and one `Recv` call for everything read, `Close` at the end. This is
//    the only transport for accepted connections, and the one whose Close returns final stats.
//
// Thread safety: one thread may Read while another Writes/ShutdownWrites; Abort and Stats may
// be called from any thread at any time (Abort unblocks a blocked Read or Write). Close must
// not race with Read or Write.
#ifndef TCPAAS_CLIENTS_CPP_STREAM_H_
#define TCPAAS_CLIENTS_CPP_STREAM_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tcpaas/v1/tcp.grpc.pb.h"

namespace tcpaas::client {

// Bytes per message the client sends. Small enough to keep gRPC's own buffering near the TCP
// send buffer's size, large enough to keep per-message overhead low.
inline constexpr size_t kWriteChunkBytes = 64 * 1024;

// What carries one connection's bytes. Implemented by DialTransport and SendRecvTransport.
class StreamTransport {
 public:
  virtual ~StreamTransport() = default;
  // Blocks until all of `data` was handed to the service (backpressure: the service takes
  // more only when the TCP send buffer has room).
  virtual absl::Status Write(absl::string_view data) = 0;
  // Up to `max` bytes (max > 0); blocks until at least one byte or EOF. "" means EOF: the
  // peer sent FIN and everything before it was read.
  virtual absl::StatusOr<std::string> Read(size_t max) = 0;
  // Sends FIN after everything written. Idempotent.
  virtual absl::Status ShutdownWrite() = 0;
  // Graceful close: FIN after everything written, then releases the connection. Returns the
  // connection's final state and stats when the transport knows them.
  virtual absl::StatusOr<v1::Connection> Close() = 0;
  // Resets the connection (RST) now; unblocks Read and Write. Idempotent.
  virtual void Abort() = 0;
};

class Stream {
 public:
  Stream(std::shared_ptr<v1::TcpService::Stub> stub, v1::Connection connection,
         std::unique_ptr<StreamTransport> transport);
  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;
  // A stream neither closed nor aborted is aborted: the service never keeps a connection
  // nobody can reach.
  ~Stream();

  // The connection as the service announced it: id, endpoints, first stats.
  const v1::Connection& connection() const { return connection_; }
  const std::string& id() const { return connection_.id(); }

  absl::Status Write(absl::string_view data);
  // Returns "" at EOF; see StreamTransport::Read.
  absl::StatusOr<std::string> Read(size_t max = kWriteChunkBytes);
  absl::Status ShutdownWrite();
  // Graceful close; after it, Stats() returns the final stats if the transport reported them.
  absl::Status Close();
  void Abort();

  // Live state and TCP statistics (GetConnection). After Close, the final ones.
  absl::StatusOr<v1::Connection> Stats();

 private:
  std::shared_ptr<v1::TcpService::Stub> stub_;
  v1::Connection connection_;
  std::unique_ptr<StreamTransport> transport_;
  bool finished_ = false;                  // Close or Abort ran
  std::unique_ptr<v1::Connection> final_;  // from Close, when known
};

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_STREAM_H_
