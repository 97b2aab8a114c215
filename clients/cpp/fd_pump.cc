#include "clients/cpp/fd_pump.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace tcpaas::client {
namespace {

absl::Status ErrnoError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Sets *closed when the reader of `fd` is gone.
absl::Status WriteAll(int fd, absl::string_view data, bool* closed) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) *closed = true;
      return ErrnoError("writing the received data");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// A pipe whose read end becomes readable once the receive direction is done, so the stdin
// loop can wait for "stdin readable or receiving finished" in one poll().
class WakePipe {
 public:
  WakePipe() {
    if (pipe2(fds_, O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
  }
  ~WakePipe() {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  bool ok() const { return fds_[0] >= 0; }
  int read_fd() const { return fds_[0]; }
  void Signal() {
    const char byte = 1;
    while (write(fds_[1], &byte, 1) < 0 && errno == EINTR) {
    }
  }

 private:
  int fds_[2];
};

}  // namespace

PumpResult PumpFds(Stream& stream, int in_fd, int out_fd) {
  WakePipe wake;
  if (!wake.ok()) return {ErrnoError("pipe")};

  absl::Mutex mu;
  absl::Status receive_status;
  bool output_closed = false;
  std::thread receiver([&] {
    absl::Status status;
    bool closed = false;
    for (;;) {
      absl::StatusOr<std::string> data = stream.Read(kWriteChunkBytes);
      if (!data.ok()) {
        status = data.status();
        break;
      }
      if (data->empty()) break;  // the peer's EOF
      status = WriteAll(out_fd, *data, &closed);
      if (!status.ok()) break;
    }
    {
      absl::MutexLock lock(&mu);
      receive_status = status;
      output_closed = closed;
    }
    wake.Signal();
  });

  absl::Status send_status;
  bool in_open = true;
  std::string buffer(kWriteChunkBytes, '\0');
  for (;;) {
    pollfd fds[2] = {{wake.read_fd(), POLLIN, 0}, {in_fd, POLLIN, 0}};
    if (poll(fds, in_open ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      send_status = ErrnoError("poll");
      break;
    }
    if (fds[0].revents != 0) break;  // receiving is done
    if (!in_open || fds[1].revents == 0) continue;
    const ssize_t n = read(in_fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      send_status = ErrnoError("reading the data to send");
      break;
    }
    if (n == 0) {
      in_open = false;
      send_status = stream.ShutdownWrite();
    } else {
      send_status = stream.Write(absl::string_view(buffer.data(), static_cast<size_t>(n)));
    }
    if (!send_status.ok()) break;
  }
  if (!send_status.ok()) stream.Abort();  // unblocks the receiver
  receiver.join();
  absl::MutexLock lock(&mu);
  if (!send_status.ok()) return {send_status, output_closed};
  if (!receive_status.ok()) stream.Abort();
  return {receive_status, output_closed};
}

}  // namespace tcpaas::client
