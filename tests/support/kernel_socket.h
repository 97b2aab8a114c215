// Kernel TCP sockets that live inside a test's network namespace: the Linux peer our stack
// talks to. A socket is created while the calling thread is inside the namespace
// (link::ScopedNetns) and stays there, so any thread may use it afterwards.
//
// Every socket is blocking with SO_RCVTIMEO and SO_SNDTIMEO, so a stack bug shows up as an
// error that names what was being waited for, never as a hung test.
#ifndef TCPAAS_TESTS_SUPPORT_KERNEL_SOCKET_H_
#define TCPAAS_TESTS_SUPPORT_KERNEL_SOCKET_H_

#include <netinet/tcp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/time.h"
#include "stack/wire/addr.h"

namespace tcpaas::test {

class KernelSocket {
 public:
  KernelSocket() = default;
  KernelSocket(KernelSocket&& other) noexcept;
  KernelSocket& operator=(KernelSocket&& other) noexcept;
  KernelSocket(const KernelSocket&) = delete;
  KernelSocket& operator=(const KernelSocket&) = delete;
  ~KernelSocket();

  // A listening socket bound to `local` inside `netns`.
  static absl::StatusOr<KernelSocket> Listen(std::string_view netns, Endpoint local, int backlog,
                                             Duration io_timeout);
  // A socket connected from inside `netns` to `remote` (blocks for the handshake, at most
  // io_timeout).
  static absl::StatusOr<KernelSocket> Connect(std::string_view netns, Endpoint remote,
                                              Duration io_timeout);

  // Listening sockets: the next connection (kDeadlineExceeded after io_timeout).
  absl::StatusOr<KernelSocket> Accept();

  // Reads what is there (waits at most io_timeout for the first byte); 0 means EOF.
  // A connection reset is kAborted.
  absl::StatusOr<size_t> ReadSome(absl::Span<uint8_t> out);
  // Reads up to and including '\n' (or EOF), at most `max` bytes.
  absl::StatusOr<std::string> ReadLine(size_t max = 4096);
  // Writes everything; `written` (optional) receives the count written even on failure.
  absl::Status WriteAll(absl::Span<const uint8_t> data, size_t* written = nullptr);
  absl::Status WriteAll(std::string_view data) {
    return WriteAll(
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  }

  absl::Status ShutdownWrite();
  // SO_LINGER {on, 0}: the next Close() sends RST instead of FIN.
  absl::Status SetAbortOnClose();
  void Close();

  // The kernel's view of the connection (TCP_INFO): negotiated options, MSS, retransmissions.
  absl::StatusOr<tcp_info> TcpInfo() const;
  // The interesting part of TcpInfo() in one line, for failure messages.
  std::string InfoString() const;
  // The port the socket is bound to.
  absl::StatusOr<Port> LocalPort() const;

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }

 private:
  KernelSocket(int fd, Duration io_timeout) : fd_(fd), io_timeout_(io_timeout) {}
  static absl::StatusOr<KernelSocket> Open(std::string_view netns, Duration io_timeout);
  absl::Status SetTimeouts();

  int fd_ = -1;
  Duration io_timeout_ = Duration::Seconds(10);
};

}  // namespace tcpaas::test

#endif  // TCPAAS_TESTS_SUPPORT_KERNEL_SOCKET_H_
