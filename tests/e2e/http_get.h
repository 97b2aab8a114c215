// A plain HTTP/1.0 GET over a kernel socket on 127.0.0.1, and a parser for the Prometheus
// text format: what a scraper does, without a client library.
#ifndef TCPAAS_TESTS_E2E_HTTP_GET_H_
#define TCPAAS_TESTS_E2E_HTTP_GET_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace tcpaas::e2e {

// The whole response: status line, headers, body.
absl::StatusOr<std::string> HttpGet(uint16_t port, const std::string& path);

// "name{labels}" -> value for every sample line; comments skipped.
std::map<std::string, double> ParseSamples(const std::string& exposition);

}  // namespace tcpaas::e2e

#endif  // TCPAAS_TESTS_E2E_HTTP_GET_H_
