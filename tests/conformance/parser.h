// The packetdrill script parser: tokens (lexer.h) to the AST (script.h), following the
// grammar of packetdrill's parser.y, plus its semantic checks (time ranges and "*" only on
// outbound packets, "<...>" and [ect01] only on outbound packets, consistent sequence
// ranges). Every error names "path:line:column: message".
#ifndef TCPAAS_TESTS_CONFORMANCE_PARSER_H_
#define TCPAAS_TESTS_CONFORMANCE_PARSER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stack/base/time.h"
#include "tests/conformance/script.h"

namespace tcpaas::conformance {

absl::StatusOr<Script> ParseScript(absl::string_view text, absl::string_view path);

// Reads and parses a script file.
absl::StatusOr<Script> ParseScriptFile(const std::string& path);

// "0.200", ".1", "3" seconds as an exact Duration (to the nanosecond). Negative or malformed
// text is an error.
absl::StatusOr<Duration> ParseSeconds(absl::string_view text);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_PARSER_H_
