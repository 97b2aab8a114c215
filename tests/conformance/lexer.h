// Tokens of the packetdrill script language. The rules follow packetdrill's lexer.l: the
// longest match wins and, between matches of equal length, the earlier rule (numbers before
// words, words before addresses). Whitespace, newlines and // and /* */ comments separate
// tokens; the grammar, not the line structure, says where a statement ends.
#ifndef TCPAAS_TESTS_CONFORMANCE_LEXER_H_
#define TCPAAS_TESTS_CONFORMANCE_LEXER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/conformance/script.h"

namespace tcpaas::conformance {

enum class TokenKind {
  kEnd,
  kInteger,     // 123, -1
  kHexInteger,  // 0x1f
  kFloat,       // .1, 0.200, -1.5
  kWord,        // [A-Za-z0-9_]+ that is not a number
  kString,      // "..." (text without the quotes, escapes kept as written)
  kBackQuoted,  // `...` (may span lines)
  kCode,        // %{ ... }% (text trimmed of spaces and tabs at both ends)
  kOption,      // --name (text without the dashes)
  kEllipsis,    // ...
  kIpv4,        // 192.0.2.1
  kIpv6,        // fd::1
  kPunct,       // any other single character: < > . : ( ) [ ] { } , = + * ~ | -
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;   // the token's text (see TokenKind for what is stripped)
  int64_t value = 0;  // kInteger, kHexInteger
  Location location;

  bool IsPunct(char c) const {
    return kind == TokenKind::kPunct && text.size() == 1 && text[0] == c;
  }
  bool IsWord(absl::string_view w) const { return kind == TokenKind::kWord && text == w; }
};

absl::string_view TokenKindName(TokenKind kind);

// Splits a whole script into tokens, ending with one kEnd token. Errors (an unterminated
// string, command, code block or comment; a number too large for 64 bits) name the line and
// column where the offending token starts, as "line:column: message".
absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_LEXER_H_
