// One HTTP exchange of the sandbox (see http_exchange.h): read the request head, write the
// response (the body is generated as it goes, never held whole), FIN, then wait for the
// peer's FIN so that the response is not cut by a RST.
#ifndef TCPAAS_SERVER_SANDBOX_HTTP_SESSION_H_
#define TCPAAS_SERVER_SANDBOX_HTTP_SESSION_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/sandbox/chargen_pattern.h"
#include "server/sandbox/http_exchange.h"
#include "server/sandbox/session.h"

namespace tcpaas::server {

class HttpSession final : public Session {
 public:
  explicit HttpSession(uint64_t max_body_bytes) : max_body_bytes_(max_body_bytes) {}
  SessionInterest OnReady(int fd, bool readable, bool writable) override;
  SessionInterest Initial() const override { return {.read = true}; }

 private:
  enum class Phase { kRequest, kResponse, kLinger };

  SessionInterest ReadRequest(int fd);
  SessionInterest WriteResponse(int fd);
  SessionInterest Linger(int fd);
  // Refills `out_` from the head, then the text or generated body.
  void Refill();

  uint64_t max_body_bytes_;
  Phase phase_ = Phase::kRequest;
  std::string request_;
  HttpResponse response_;
  size_t head_sent_ = 0;
  uint64_t body_sent_ = 0;  // body bytes moved into out_
  ChargenPattern pattern_;
  std::array<uint8_t, 16 * 1024> out_;
  size_t out_start_ = 0;
  size_t out_end_ = 0;
  std::array<uint8_t, 4096> scratch_;
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SANDBOX_HTTP_SESSION_H_
