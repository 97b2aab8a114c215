// The TCP layer: every connection and listener of one stack, the socket-like API over them,
// demultiplexing of incoming segments, RSTs for closed ports and the timer schedule.
//
// Sans-I/O: it never reads a clock or makes a syscall. Segments arrive through OnPacket()
// (it is the IP layer's TransportHandler for protocol 6), leave through an ip::IpSender, and
// time moves only when a caller passes `now`.
//
// Handle lifetime follows BSD sockets: a ConnId stays valid until Close() or Abort() releases
// it, whatever the connection's state (a connection reset by the peer keeps its handle, in
// state CLOSED, so the owner can read its stats and final reason). After Close() the
// connection finishes its life (FIN exchange, TIME_WAIT) inside the layer with no handle.
#ifndef TCPAAS_STACK_TCP_TCP_LAYER_H_
#define TCPAAS_STACK_TCP_TCP_LAYER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/ip/transport.h"
#include "stack/tcp/types.h"
#include "stack/wire/addr.h"

namespace tcpaas::tcp {

struct RecvResult {
  size_t bytes = 0;  // bytes copied out
  bool eof = false;  // the peer's FIN has been reached: no more data will ever come
};

class TcpLayer : public ip::TransportHandler {
 public:
  // `ip` and `counters` must outlive the layer.
  TcpLayer(const TcpConfig& config, ip::IpSender* ip, StackCounters* counters);
  ~TcpLayer() override;
  TcpLayer(const TcpLayer&) = delete;
  TcpLayer& operator=(const TcpLayer&) = delete;

  void SetEventHandler(TcpEventHandler* handler);
  const TcpConfig& config() const;

  // --- Opening -------------------------------------------------------------------------
  // Active open (RFC 9293 §3.10.1). Returns at once, in SYN-SENT; kEstablished or kClosed
  // (kRefused, kSynTimeout, kUnreachable) follows.
  // Errors: kInvalidArgument (port 0, unusable address, bad options or congestion control
  // name), kResourceExhausted (connection limit, no free ephemeral port), kAlreadyExists
  // (explicit four-tuple in use), or the IP layer's error if the SYN cannot be sent at all
  // (e.g. kUnavailable: no route).
  // `local_port` 0 picks an ephemeral port (RFC 6056 §3.3.3) that no listener uses.
  absl::StatusOr<ConnId> Connect(Endpoint remote, const ConnectionOptions& options, Instant now,
                                 Port local_port = Port(0));

  // Passive open on the local address. Errors: kAlreadyExists (port has a listener),
  // kInvalidArgument (port 0, backlog < 1).
  absl::StatusOr<ListenerId> Listen(Port port, int backlog, const ConnectionOptions& options);
  // Stops listening; connections not yet accepted are reset.
  absl::Status CloseListener(ListenerId listener, Instant now);
  // The next established connection of the listener, if any (the caller now owns its handle).
  // Events the connection raised before it had an owner are raised now: kEstablished, then
  // kReadable if data is waiting and kPeerFin if the peer already closed its side. A child
  // that is reset before Accept() disappears from the queue.
  std::optional<ConnId> Accept(ListenerId listener);

  // --- Data ----------------------------------------------------------------------------
  // Queues bytes for sending; returns how many fit in the send buffer (possibly 0).
  // Allowed in SYN-SENT and SYN-RECEIVED (sent once established) and while the write side is
  // open. Errors: kNotFound (bad handle), kFailedPrecondition (write side shut, or closed;
  // the message names the close reason).
  absl::StatusOr<size_t> Send(ConnId conn, absl::Span<const uint8_t> data, Instant now);
  // The same with flags: `more` (MSG_MORE) holds a partial last segment for more data.
  absl::StatusOr<size_t> Send(ConnId conn, absl::Span<const uint8_t> data, SendFlags flags,
                              Instant now);
  // Copies in-order received bytes out; opens the receive window as it frees space
  // (window update per RFC 9293 §3.8.6.2.2). Errors: kNotFound; kAborted if the connection was
  // reset before EOF.
  absl::StatusOr<RecvResult> Recv(ConnId conn, absl::Span<uint8_t> out, Instant now);

  size_t SendSpace(ConnId conn) const;      // free bytes in the send buffer
  size_t RecvAvailable(ConnId conn) const;  // bytes Recv() would return now

  // --- Closing -------------------------------------------------------------------------
  // Sends FIN after everything queued (half-close; reading continues).
  absl::Status ShutdownWrite(ConnId conn, Instant now);
  // Releases the handle like BSD close(): FIN after queued data, or RST if received data
  // is still unread (RFC 9293 §3.10.4 leaves it open; Linux and RFC 2525 §2.17 do this).
  absl::Status Close(ConnId conn, Instant now);
  // Releases the handle and sends RST (RFC 9293 §3.10.5).
  absl::Status Abort(ConnId conn, Instant now);

  // --- Options and stats -------------------------------------------------------------------
  // The setters work on a connection in any state (like setsockopt) and take effect at once.
  // Errors: kNotFound (bad handle), kInvalidArgument (a value out of range, the message says
  // which).
  // Nagle off (TCP_NODELAY); turning it on sends what Nagle or a cork held, at once.
  absl::Status SetNoDelay(ConnId conn, bool no_delay, Instant now);
  // TCP_CORK: while corked, a partial last segment waits for more data (full segments go).
  // Uncorking sends it (at once with no-delay, else as Nagle allows). As on Linux, a corked
  // segment also goes when nothing is in flight and the persist timer fires (one RTO, at
  // least 200 ms).
  absl::Status SetCork(ConnId conn, bool cork, Instant now);
  // Send buffer size in bytes (1 .. 1 GiB). Queued data is never dropped: a smaller buffer
  // takes nothing more until enough is acknowledged. kWritable follows if space appeared.
  absl::Status SetSendBufferSize(ConnId conn, size_t bytes, Instant now);
  // Receive buffer size in bytes (1 .. 65535 << 14). The window offered follows it, but the
  // right edge already advertised never moves left, and unread data is kept; the window
  // scale stays what the SYN announced (see ConnectionOptions::window_scale_buffer_bytes).
  absl::Status SetRecvBufferSize(ConnId conn, size_t bytes, Instant now);
  // RFC 5482 user timeout (TCP_USER_TIMEOUT); zero turns it off. Applies to data already
  // outstanding, counted from now.
  absl::Status SetUserTimeout(ConnId conn, Duration timeout, Instant now);
  // Keepalive (SO_KEEPALIVE and TCP_KEEPIDLE/INTVL/CNT); the idle time counts from the last
  // segment received.
  absl::Status SetKeepalive(ConnId conn, const KeepaliveSettings& keepalive, Instant now);
  // The connection's options as they are now.
  absl::StatusOr<ConnectionOptions> GetOptions(ConnId conn) const;
  // Options for the connections a listener accepts from now on (MSS clamp, no-delay, buffer
  // sizes, timeouts, keepalive, ...). Validated like Listen()'s.
  absl::Status SetListenerOptions(ListenerId listener, const ConnectionOptions& options);
  absl::StatusOr<ConnectionOptions> GetListenerOptions(ListenerId listener) const;
  absl::StatusOr<TcpStats> GetStats(ConnId conn) const;
  // Number of connections inside the layer (handles or not) in each state.
  std::array<size_t, kTcpStateCount> StateCounts() const;
  size_t connection_count() const;

  // --- Driving (sans-I/O) --------------------------------------------------------------
  void OnPacket(const ip::Ipv4PacketInfo& info, absl::Span<const uint8_t> segment,
                Instant now) override;
  void OnIcmpError(const ip::IcmpError& error, Instant now) override;
  // Runs every timer due at or before `now`.
  void Poll(Instant now);
  // When Poll() must next run; Instant::Never() when nothing is scheduled.
  Instant NextDeadline() const;
  // Aborts every connection (RST) and listener, e.g. at shutdown.
  void AbortAll(Instant now);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_TCP_LAYER_H_
