// tcpcat's data path: a file descriptor pair (stdin, stdout) joined to one Stream, like nc.
#ifndef TCPAAS_CLIENTS_CPP_FD_PUMP_H_
#define TCPAAS_CLIENTS_CPP_FD_PUMP_H_

#include "absl/status/status.h"
#include "clients/cpp/stream.h"

namespace tcpaas::client {

struct PumpResult {
  absl::Status status;  // the first error of either direction
  // `out_fd` stopped taking data (EPIPE: e.g. `tcpcat ... | head`). The stream was aborted;
  // like a program killed by SIGPIPE, the caller may end quietly.
  bool output_closed = false;
};

// Copies `in_fd` to the stream and the stream to `out_fd` until the peer's EOF has been
// written out, or either side fails. EOF on `in_fd` half-closes the stream (FIN); the peer's
// EOF ends the session even if `in_fd` is still open. Does not close the stream. On failure
// the stream is aborted (so neither direction stays blocked).
PumpResult PumpFds(Stream& stream, int in_fd, int out_fd);

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_FD_PUMP_H_
