#include "server/sandbox/http_exchange.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace tcpaas::server {
namespace {

HttpResponse Respond(const std::string& request, uint64_t max_body = kDefaultMaxHttpBodyBytes) {
  return RespondTo(ParseHttpRequestHead(request), max_body);
}

TEST(HttpParseTest, WaitsForTheEmptyLine) {
  EXPECT_EQ(ParseHttpRequestHead("").status, HttpParseStatus::kIncomplete);
  EXPECT_EQ(ParseHttpRequestHead("GET / HTTP/1.1\r\nHost: x\r\n").status,
            HttpParseStatus::kIncomplete);
  HttpParseResult r = ParseHttpRequestHead("GET /bytes/5 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(r.status, HttpParseStatus::kComplete);
  EXPECT_EQ(r.head.method, "GET");
  EXPECT_EQ(r.head.target, "/bytes/5");
  EXPECT_EQ(r.head.version, "HTTP/1.1");
  // RFC 9112 §2.2: a bare LF ends lines too.
  EXPECT_EQ(ParseHttpRequestHead("GET / HTTP/1.0\n\n").status, HttpParseStatus::kComplete);
}

TEST(HttpParseTest, RejectsMalformedAndOversizedHeads) {
  EXPECT_EQ(ParseHttpRequestHead("GET /\r\n\r\n").status, HttpParseStatus::kMalformed);
  EXPECT_EQ(ParseHttpRequestHead("GET / SPDY/3\r\n\r\n").status, HttpParseStatus::kMalformed);
  EXPECT_EQ(ParseHttpRequestHead("GET  / HTTP/1.1\r\n\r\n").status, HttpParseStatus::kMalformed);
  EXPECT_EQ(ParseHttpRequestHead(std::string(kMaxHttpHeadBytes, 'a')).status,
            HttpParseStatus::kTooLarge);
}

struct Route {
  const char* request;
  int status;
  HttpBody body;
  uint64_t length;  // ~0: do not check
};

class HttpRouteTest : public testing::TestWithParam<Route> {};

TEST_P(HttpRouteTest, AnswersWithStatusBodyAndLength) {
  const Route& route = GetParam();
  const HttpResponse r = Respond(route.request, 1000);
  EXPECT_EQ(r.status, route.status) << route.request;
  EXPECT_EQ(r.body, route.body) << route.request;
  if (route.length != ~uint64_t{0}) {
    EXPECT_EQ(r.body_length, route.length) << route.request;
  }
  EXPECT_TRUE(absl::StartsWith(r.head, absl::StrCat("HTTP/1.1 ", route.status, " ")));
  EXPECT_TRUE(absl::StrContains(r.head, absl::StrCat("Content-Length: ", r.body_length, "\r\n")));
  EXPECT_TRUE(absl::StrContains(r.head, "Connection: close\r\n"));
  EXPECT_TRUE(absl::EndsWith(r.head, "\r\n\r\n"));
  if (r.body == HttpBody::kText) {
    EXPECT_EQ(r.text.size(), r.body_length);
  }
}

constexpr uint64_t kAny = ~uint64_t{0};

INSTANTIATE_TEST_SUITE_P(
    Routes, HttpRouteTest,
    testing::Values(Route{"GET / HTTP/1.1\r\n\r\n", 200, HttpBody::kText, kAny},
                    Route{"GET /bytes/0 HTTP/1.1\r\n\r\n", 200, HttpBody::kChargen, 0},
                    Route{"GET /bytes/1000 HTTP/1.1\r\n\r\n", 200, HttpBody::kChargen, 1000},
                    Route{"GET /bytes/17?x=1 HTTP/1.1\r\n\r\n", 200, HttpBody::kChargen, 17},
                    Route{"HEAD /bytes/10 HTTP/1.1\r\n\r\n", 200, HttpBody::kNone, 10},
                    Route{"GET /bytes/1001 HTTP/1.1\r\n\r\n", 400, HttpBody::kText, kAny},
                    Route{"GET /bytes/99999999999999999999999 HTTP/1.1\r\n\r\n", 400,
                          HttpBody::kText, kAny},
                    Route{"GET /bytes/ten HTTP/1.1\r\n\r\n", 404, HttpBody::kText, kAny},
                    Route{"GET /bytes/ HTTP/1.1\r\n\r\n", 404, HttpBody::kText, kAny},
                    Route{"GET /other HTTP/1.1\r\n\r\n", 404, HttpBody::kText, kAny},
                    Route{"POST / HTTP/1.1\r\n\r\n", 405, HttpBody::kText, kAny},
                    Route{"GET /\r\n\r\n", 400, HttpBody::kText, kAny}));

TEST(HttpRespondTest, TooLargeHeadIs431AndMethodNotAllowedListsAllow) {
  EXPECT_EQ(Respond(std::string(kMaxHttpHeadBytes + 10, 'a')).status, 431);
  EXPECT_TRUE(absl::StrContains(Respond("PUT / HTTP/1.1\r\n\r\n").head, "Allow: GET, HEAD\r\n"));
}

}  // namespace
}  // namespace tcpaas::server
