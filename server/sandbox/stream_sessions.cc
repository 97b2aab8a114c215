#include "server/sandbox/stream_sessions.h"

#include <sys/socket.h>

#include <cerrno>

#include "absl/types/span.h"

namespace tcpaas::server {

// --- echo ------------------------------------------------------------------------------

SessionInterest EchoSession::OnReady(int fd, bool readable, bool writable) {
  // Alternate until neither side can move: read into the free tail, write out the head.
  for (bool progress = true; progress && !failed_;) {
    progress = false;
    if (start_ == end_) start_ = end_ = 0;
    if (!peer_eof_ && end_ < buffer_.size()) {
      bool eof = false;
      const ssize_t n = ReadSome(fd, buffer_.data() + end_, buffer_.size() - end_, &eof);
      if (n > 0) {
        end_ += static_cast<size_t>(n);
        progress = true;
      } else if (eof) {
        peer_eof_ = true;
      } else if (n < 0) {
        failed_ = true;
      }
    }
    if (start_ < end_) {
      const ssize_t n = WriteSome(fd, buffer_.data() + start_, end_ - start_);
      if (n > 0) {
        start_ += static_cast<size_t>(n);
        progress = true;
      } else if (n < 0) {
        failed_ = true;
      }
    }
  }
  if (!failed_ && peer_eof_ && start_ == end_) {
    ::shutdown(fd, SHUT_WR);  // RFC 862: the echo ends when the client's data does
    return {.done = true};
  }
  return Interest();
}

SessionInterest EchoSession::Interest() const {
  if (failed_) return {.done = true};
  return {.read = !peer_eof_ && end_ < buffer_.size(), .write = start_ < end_};
}

// --- discard ---------------------------------------------------------------------------

SessionInterest DiscardSession::OnReady(int fd, bool readable, bool writable) {
  for (;;) {
    bool eof = false;
    const ssize_t n = ReadSome(fd, buffer_.data(), buffer_.size(), &eof);
    if (n > 0) continue;
    if (n == 0) return {.read = true};
    return {.done = true};  // FIN (we close too) or an error
  }
}

// --- chargen ---------------------------------------------------------------------------

SessionInterest ChargenSession::OnReady(int fd, bool readable, bool writable) {
  // RFC 864: received data is thrown away.
  while (!peer_eof_) {
    bool eof = false;
    const ssize_t got = ReadSome(fd, scratch_.data(), scratch_.size(), &eof);
    if (got > 0) continue;
    if (eof) {
      peer_eof_ = true;  // the peer closed its side; it may still read
    } else if (got < 0) {
      return {.done = true};
    }
    break;
  }
  for (;;) {
    if (chunk_start_ == chunk_end_) {
      pattern_.Fill(absl::MakeSpan(chunk_));
      chunk_start_ = 0;
      chunk_end_ = chunk_.size();
    }
    const ssize_t n = WriteSome(fd, chunk_.data() + chunk_start_, chunk_end_ - chunk_start_);
    if (n < 0) return {.done = true};  // the peer reset or went away
    if (n == 0) break;
    chunk_start_ += static_cast<size_t>(n);
  }
  return {.read = !peer_eof_, .write = true};
}

}  // namespace tcpaas::server
