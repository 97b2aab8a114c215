#include "server/sandbox/http_exchange.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tcpaas::server {
namespace {

constexpr char kIndexPage[] =
    "<!doctype html>\n"
    "<html><head><title>tcpaas sandbox</title></head>\n"
    "<body><h1>tcpaas sandbox</h1>\n"
    "<p>This page came from the kernel side of tcpaasd's sandbox (198.18.0.1), over the "
    "userspace TCP/IP stack.</p>\n"
    "<ul><li>echo: port 7</li><li>discard: port 9</li><li>chargen: port 19</li>"
    "<li>GET /bytes/N: N bytes of the chargen stream</li></ul>\n"
    "</body></html>\n";

absl::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Internal Server Error";
  }
}

HttpResponse Make(int status, absl::string_view content_type, HttpBody body, std::string text,
                  uint64_t length, bool head_only, absl::string_view extra_headers = "") {
  HttpResponse r;
  r.status = status;
  r.head =
      absl::StrCat("HTTP/1.1 ", status, " ", ReasonPhrase(status), "\r\n",
                   "Server: tcpaas-sandbox\r\n", "Content-Type: ", content_type, "\r\n",
                   "Content-Length: ", length, "\r\n", extra_headers, "Connection: close\r\n\r\n");
  r.body = head_only ? HttpBody::kNone : body;
  r.text = head_only ? "" : std::move(text);
  r.body_length = length;
  return r;
}

HttpResponse Error(int status, absl::string_view detail, bool head_only,
                   absl::string_view extra_headers = "") {
  std::string text = absl::StrCat(status, " ", ReasonPhrase(status), ": ", detail, "\n");
  const uint64_t length = text.size();
  return Make(status, "text/plain", HttpBody::kText, std::move(text), length, head_only,
              extra_headers);
}

}  // namespace

HttpParseResult ParseHttpRequestHead(absl::string_view buffer) {
  HttpParseResult result;
  size_t end = buffer.find("\r\n\r\n");
  if (end == absl::string_view::npos) end = buffer.find("\n\n");
  if (end == absl::string_view::npos) {
    result.status = buffer.size() >= kMaxHttpHeadBytes ? HttpParseStatus::kTooLarge
                                                       : HttpParseStatus::kIncomplete;
    return result;
  }
  if (end > kMaxHttpHeadBytes) {
    result.status = HttpParseStatus::kTooLarge;
    return result;
  }
  absl::string_view line = buffer.substr(0, buffer.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // RFC 9112 §3: request-line = method SP request-target SP HTTP-version
  std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() ||
      !absl::StartsWith(parts[2], "HTTP/1.")) {
    result.status = HttpParseStatus::kMalformed;
    return result;
  }
  result.status = HttpParseStatus::kComplete;
  result.head.method = std::string(parts[0]);
  result.head.target = std::string(parts[1]);
  result.head.version = std::string(parts[2]);
  return result;
}

HttpResponse RespondTo(const HttpParseResult& request, uint64_t max_body_bytes) {
  if (request.status == HttpParseStatus::kTooLarge) {
    return Error(431, absl::StrCat("the request head exceeds ", kMaxHttpHeadBytes, " bytes"),
                 false);
  }
  if (request.status != HttpParseStatus::kComplete) {
    return Error(400, "malformed request line", false);
  }
  const HttpRequestHead& head = request.head;
  const bool head_only = head.method == "HEAD";
  if (head.method != "GET" && !head_only) {
    return Error(405, absl::StrCat("method ", head.method, " is not supported; use GET"), false,
                 "Allow: GET, HEAD\r\n");
  }
  // Query strings are ignored.
  absl::string_view path = head.target;
  path = path.substr(0, path.find('?'));
  if (path == "/" || path == "/index.html") {
    return Make(200, "text/html; charset=utf-8", HttpBody::kText, kIndexPage,
                sizeof(kIndexPage) - 1, head_only);
  }
  if (absl::StartsWith(path, "/bytes/")) {
    absl::string_view count = path.substr(7);
    uint64_t n = 0;
    const bool digits =
        !count.empty() && count.find_first_not_of("0123456789") == absl::string_view::npos;
    if (!digits) return Error(404, absl::StrCat("no resource ", path), head_only);
    if (!absl::SimpleAtoi(count, &n) || n > max_body_bytes) {
      return Error(400, absl::StrCat("N is above the limit of ", max_body_bytes, " bytes"),
                   head_only);
    }
    return Make(200, "application/octet-stream", HttpBody::kChargen, "", n, head_only);
  }
  return Error(404, absl::StrCat("no resource ", path), head_only);
}

}  // namespace tcpaas::server
