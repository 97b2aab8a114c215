#include "tests/conformance/lexer.h"

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tcpaas::conformance {
namespace {

struct Expected {
  TokenKind kind;
  std::string text;
};

std::vector<Expected> Kinds(absl::string_view text) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(text);
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  std::vector<Expected> out;
  if (!tokens.ok()) return out;
  for (const Token& t : *tokens) out.push_back({t.kind, t.text});
  return out;
}

MATCHER_P(TokensAre, expected, "") {
  if (arg.size() != expected.size()) {
    *result_listener << "got " << arg.size() << " tokens";
    return false;
  }
  for (size_t i = 0; i < arg.size(); ++i) {
    if (arg[i].kind != expected[i].kind || arg[i].text != expected[i].text) {
      *result_listener << "token " << i << " is '" << arg[i].text << "' ("
                       << TokenKindName(arg[i].kind) << ")";
      return false;
    }
  }
  return true;
}

using K = TokenKind;

// The longest match wins; ties go to the earlier rule of lexer.l.
TEST(LexerTest, LongestMatchTable) {
  struct Case {
    std::string text;
    std::vector<Expected> tokens;
  } cases[] = {
      {"+.1...0.200",
       {{K::kPunct, "+"}, {K::kFloat, ".1"}, {K::kEllipsis, "..."}, {K::kFloat, "0.200"}}},
      {"+0...0.300",
       {{K::kPunct, "+"}, {K::kInteger, "0"}, {K::kEllipsis, "..."}, {K::kFloat, "0.300"}}},
      {"1:1001(1000)",
       {{K::kInteger, "1"},
        {K::kPunct, ":"},
        {K::kInteger, "1001"},
        {K::kPunct, "("},
        {K::kInteger, "1000"},
        {K::kPunct, ")"}}},
      {"0x2 0xz", {{K::kHexInteger, "0x2"}, {K::kWord, "0xz"}}},
      {"1000 100a", {{K::kInteger, "1000"}, {K::kWord, "100a"}}},
      {"192.0.2.1", {{K::kIpv4, "192.0.2.1"}}},
      {"fd::1 fd3d:fa7b:d17d:8888::0", {{K::kIpv6, "fd::1"}, {K::kIpv6, "fd3d:fa7b:d17d:8888::0"}}},
      {"S. F. -",
       {{K::kWord, "S"}, {K::kPunct, "."}, {K::kWord, "F"}, {K::kPunct, "."}, {K::kPunct, "-"}}},
      {"= -1 EINPROGRESS", {{K::kPunct, "="}, {K::kInteger, "-1"}, {K::kWord, "EINPROGRESS"}}},
      {"--tolerance_usecs=10000",
       {{K::kOption, "tolerance_usecs"}, {K::kPunct, "="}, {K::kInteger, "10000"}}},
      {"+.21~+.215",
       {{K::kPunct, "+"},
        {K::kFloat, ".21"},
        {K::kPunct, "~"},
        {K::kPunct, "+"},
        {K::kFloat, ".215"}}},
      {"\"a\\\"b\"", {{K::kString, "a\\\"b"}}},
      {"`a\nb`", {{K::kBackQuoted, "a\nb"}}},
      {"%{ assert x == 1 }%", {{K::kCode, "assert x == 1"}}},
      {"a // comment\nb /* c\nd */ e", {{K::kWord, "a"}, {K::kWord, "b"}, {K::kWord, "e"}}},
  };
  for (const Case& c : cases) {
    std::vector<Expected> want = c.tokens;
    want.push_back({K::kEnd, ""});
    EXPECT_THAT(Kinds(c.text), TokensAre(want)) << c.text;
  }
}

TEST(LexerTest, LocationsAreOneBasedLineAndColumn) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize("0 socket\n  +0 > S");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 7u);  // 0 socket + 0 > S end
  EXPECT_EQ((*tokens)[1].location.line, 1);
  EXPECT_EQ((*tokens)[1].location.column, 3);
  EXPECT_EQ((*tokens)[2].location.line, 2);  // '+'
  EXPECT_EQ((*tokens)[2].location.column, 3);
  EXPECT_EQ((*tokens)[4].location.column, 6);  // '>'
}

TEST(LexerTest, IntegerValues) {
  absl::StatusOr<std::vector<Token>> tokens = Tokenize("4294967295 -1 0x70403");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0].value, 4294967295LL);
  EXPECT_EQ((*tokens)[1].value, -1);
  EXPECT_EQ((*tokens)[2].value, 0x70403);
}

TEST(LexerTest, ErrorsNameLineAndColumn) {
  struct Case {
    std::string text;
    std::string error_prefix;
  } cases[] = {
      {"a\n  \"open", "2:3: unterminated string"},
      {"`cmd", "1:1: unterminated `command`"},
      {"x %{ code", "1:3: unterminated %{ code block"},
      {"/* never closed", "1:1: unterminated /* comment"},
      {"99999999999999999999", "1:1: integer out of range"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<Token>> tokens = Tokenize(c.text);
    ASSERT_FALSE(tokens.ok()) << c.text;
    EXPECT_EQ(tokens.status().message().substr(0, c.error_prefix.size()), c.error_prefix)
        << tokens.status();
  }
}

}  // namespace
}  // namespace tcpaas::conformance
