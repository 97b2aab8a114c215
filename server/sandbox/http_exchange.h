// The sandbox's tiny HTTP/1.x server, as pure functions: parsing a request head and deciding
// the response (RFC 9112 message syntax; one request per connection, "Connection: close").
//
//   GET /          200, a small HTML page
//   GET /bytes/N   200, exactly N bytes (Content-Length: N) of the RFC 864 chargen stream,
//                  N <= max_body_bytes (400 above)
//   HEAD           as GET, without the body
//   other paths    404;  other methods  405;  malformed  400;  head too large  431
#ifndef TCPAAS_SERVER_SANDBOX_HTTP_EXCHANGE_H_
#define TCPAAS_SERVER_SANDBOX_HTTP_EXCHANGE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace tcpaas::server {

inline constexpr size_t kMaxHttpHeadBytes = 8192;
inline constexpr uint64_t kDefaultMaxHttpBodyBytes = uint64_t{1} << 30;  // 1 GiB

struct HttpRequestHead {
  std::string method;
  std::string target;
  std::string version;  // "HTTP/1.1"
};

enum class HttpParseStatus {
  kIncomplete,  // no blank line yet: read more
  kComplete,
  kMalformed,  // 400
  kTooLarge,   // the head exceeds kMaxHttpHeadBytes without ending: 431
};

struct HttpParseResult {
  HttpParseStatus status = HttpParseStatus::kIncomplete;
  HttpRequestHead head;
};

// Parses the request line of a head that ends with an empty line (CRLF CRLF, or bare LF LF
// as RFC 9112 §2.2 allows). Header fields are not interpreted.
HttpParseResult ParseHttpRequestHead(absl::string_view buffer);

enum class HttpBody {
  kNone,
  kText,     // `text`
  kChargen,  // the first `body_length` bytes of the chargen stream
};

struct HttpResponse {
  int status = 500;
  std::string head;  // status line and header fields, through the empty line
  HttpBody body = HttpBody::kNone;
  std::string text;
  uint64_t body_length = 0;  // what Content-Length says
};

// The response to a parse result (kIncomplete is not a valid argument).
HttpResponse RespondTo(const HttpParseResult& request,
                       uint64_t max_body_bytes = kDefaultMaxHttpBodyBytes);

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SANDBOX_HTTP_EXCHANGE_H_
