#include "server/sandbox/http_session.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "absl/types/span.h"

namespace tcpaas::server {

SessionInterest HttpSession::OnReady(int fd, bool readable, bool writable) {
  switch (phase_) {
    case Phase::kRequest:
      return ReadRequest(fd);
    case Phase::kResponse:
      return WriteResponse(fd);
    case Phase::kLinger:
      return Linger(fd);
  }
  return {.done = true};
}

SessionInterest HttpSession::ReadRequest(int fd) {
  for (;;) {
    bool eof = false;
    const ssize_t n = ReadSome(fd, scratch_.data(), scratch_.size(), &eof);
    if (n == 0) return {.read = true};
    if (n < 0) return {.done = true};  // gone before a whole request
    request_.append(reinterpret_cast<const char*>(scratch_.data()), static_cast<size_t>(n));
    HttpParseResult parsed = ParseHttpRequestHead(request_);
    if (parsed.status == HttpParseStatus::kIncomplete) continue;
    response_ = RespondTo(parsed, max_body_bytes_);
    request_.clear();
    request_.shrink_to_fit();
    phase_ = Phase::kResponse;
    return WriteResponse(fd);
  }
}

void HttpSession::Refill() {
  out_start_ = out_end_ = 0;
  while (out_end_ < out_.size()) {
    if (head_sent_ < response_.head.size()) {
      const size_t n = std::min(out_.size() - out_end_, response_.head.size() - head_sent_);
      std::memcpy(out_.data() + out_end_, response_.head.data() + head_sent_, n);
      head_sent_ += n;
      out_end_ += n;
      continue;
    }
    const uint64_t body_left =
        response_.body == HttpBody::kNone ? 0 : response_.body_length - body_sent_;
    if (body_left == 0) return;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(out_.size() - out_end_, body_left));
    if (response_.body == HttpBody::kText) {
      std::memcpy(out_.data() + out_end_, response_.text.data() + body_sent_, n);
    } else {
      pattern_.Fill(absl::MakeSpan(out_.data() + out_end_, n));
    }
    body_sent_ += n;
    out_end_ += n;
  }
}

SessionInterest HttpSession::WriteResponse(int fd) {
  for (;;) {
    if (out_start_ == out_end_) Refill();
    if (out_start_ == out_end_) {
      // All sent: our FIN, then wait for the peer's (closing now could answer the peer's
      // late data with RST and destroy the response in flight, RFC 9112 §9.6).
      ::shutdown(fd, SHUT_WR);
      phase_ = Phase::kLinger;
      return Linger(fd);
    }
    const ssize_t n = WriteSome(fd, out_.data() + out_start_, out_end_ - out_start_);
    if (n < 0) return {.done = true};
    if (n == 0) return {.write = true};
    out_start_ += static_cast<size_t>(n);
  }
}

SessionInterest HttpSession::Linger(int fd) {
  for (;;) {
    bool eof = false;
    const ssize_t n = ReadSome(fd, scratch_.data(), scratch_.size(), &eof);
    if (n > 0) continue;
    if (n == 0) return {.read = true};
    return {.done = true};
  }
}

}  // namespace tcpaas::server
