#include "tests/conformance/lexer.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tcpaas::conformance {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t RunOf(absl::string_view s, size_t i, bool (*pred)(char)) {
  size_t n = 0;
  while (i + n < s.size() && pred(s[i + n])) ++n;
  return n;
}

// Lengths of the candidate matches at one position; 0 means "no match".
struct Candidates {
  size_t ellipsis = 0;
  size_t option = 0;
  size_t floating = 0;
  size_t integer = 0;
  size_t hex = 0;
  size_t word = 0;
  size_t ipv4 = 0;
  size_t ipv6 = 0;
};

// -?[0-9]*[.][0-9]+
size_t FloatLength(absl::string_view s, size_t i) {
  size_t n = (s[i] == '-') ? 1 : 0;
  n += RunOf(s, i + n, IsDigit);
  if (i + n >= s.size() || s[i + n] != '.') return 0;
  const size_t frac = RunOf(s, i + n + 1, IsDigit);
  return frac == 0 ? 0 : n + 1 + frac;
}

// -?[0-9]+
size_t IntegerLength(absl::string_view s, size_t i) {
  const size_t sign = (s[i] == '-') ? 1 : 0;
  const size_t digits = RunOf(s, i + sign, IsDigit);
  return digits == 0 ? 0 : sign + digits;
}

// 0x[0-9a-fA-F]+
size_t HexLength(absl::string_view s, size_t i) {
  if (s.substr(i, 2) != "0x") return 0;
  const size_t digits = RunOf(s, i + 2, IsHexDigit);
  return digits == 0 ? 0 : 2 + digits;
}

// [0-9]+ . [0-9]+ . [0-9]+ . [0-9]+
size_t Ipv4Length(absl::string_view s, size_t i) {
  size_t n = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i + n >= s.size() || s[i + n] != '.') return 0;
      ++n;
    }
    const size_t digits = RunOf(s, i + n, IsDigit);
    if (digits == 0) return 0;
    n += digits;
  }
  return n;
}

// An IPv6 address: the longest run of hex digits, colons and dots that inet_pton accepts
// and that has "::" or seven colons (so "1:1001" stays a sequence range, as in lexer.l).
size_t Ipv6Length(absl::string_view s, size_t i) {
  if (!IsHexDigit(s[i]) && s[i] != ':') return 0;
  size_t n = RunOf(s, i, [](char c) { return IsHexDigit(c) || c == ':' || c == '.'; });
  while (n > 0) {
    const std::string candidate(s.substr(i, n));
    const auto colons = std::count(candidate.begin(), candidate.end(), ':');
    if (candidate.find("::") != std::string::npos || colons == 7) {
      in6_addr addr;
      if (inet_pton(AF_INET6, candidate.c_str(), &addr) == 1) return n;
    }
    --n;
  }
  return 0;
}

Candidates Measure(absl::string_view s, size_t i) {
  Candidates c;
  if (s.substr(i, 3) == "...") c.ellipsis = 3;
  if (s.substr(i, 2) == "--") {
    const size_t name = RunOf(s, i + 2, IsWordChar);
    if (name > 0) c.option = 2 + name;
  }
  if (IsDigit(s[i]) || s[i] == '-' || s[i] == '.') {
    c.floating = FloatLength(s, i);
    c.integer = IntegerLength(s, i);
  }
  c.hex = HexLength(s, i);
  c.word = RunOf(s, i, IsWordChar);
  c.ipv4 = IsDigit(s[i]) ? Ipv4Length(s, i) : 0;
  c.ipv6 = Ipv6Length(s, i);
  return c;
}

absl::Status ErrorAt(Location at, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(at.line, ":", at.column, ": ", message));
}

// Length of a quoted token starting at s[i] == quote: quote (\\.|[^quote])* quote.
// Returns 0 when the closing quote is missing.
size_t QuotedLength(absl::string_view s, size_t i, char quote) {
  size_t j = i + 1;
  while (j < s.size()) {
    if (s[j] == '\\' && j + 1 < s.size()) {
      j += 2;
    } else if (s[j] == quote) {
      return j + 1 - i;
    } else {
      ++j;
    }
  }
  return 0;
}

std::string TrimSpacesAndTabs(absl::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return absl::StrCat(s.substr(b, e - b));
}

bool ParseInt64(absl::string_view digits, int base, bool negative, int64_t* out) {
  uint64_t v = 0;
  const uint64_t limit =
      negative ? uint64_t{1} << 63 : uint64_t{std::numeric_limits<int64_t>::max()};
  for (char ch : digits) {
    const int d =
        IsDigit(ch) ? ch - '0' : (std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10);
    if (v > (limit - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

class Lexer {
 public:
  explicit Lexer(absl::string_view text) : s_(text) {}

  absl::StatusOr<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      if (absl::Status st = SkipSpaceAndComments(); !st.ok()) return st;
      if (i_ >= s_.size()) break;
      absl::StatusOr<Token> t = Next();
      if (!t.ok()) return t.status();
      tokens.push_back(*std::move(t));
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.location = Here();
    tokens.push_back(end);
    return tokens;
  }

 private:
  Location Here() const { return {line_, column_}; }

  void Advance(size_t n) {
    for (size_t k = 0; k < n && i_ < s_.size(); ++k, ++i_) {
      if (s_[i_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }

  absl::Status SkipSpaceAndComments() {
    while (i_ < s_.size()) {
      if (IsSpace(s_[i_])) {
        Advance(1);
      } else if (s_.substr(i_, 2) == "//") {
        size_t n = 2;
        while (i_ + n < s_.size() && s_[i_ + n] != '\n') ++n;
        Advance(n);
      } else if (s_.substr(i_, 2) == "/*") {
        const size_t close = s_.find("*/", i_ + 2);
        if (close == absl::string_view::npos) return ErrorAt(Here(), "unterminated /* comment");
        Advance(close + 2 - i_);
      } else {
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Token> Next() {
    Token t;
    t.location = Here();
    const char c = s_[i_];
    if (s_.substr(i_, 2) == "%{") {
      const size_t close = s_.find("}%", i_ + 2);
      if (close == absl::string_view::npos)
        return ErrorAt(t.location, "unterminated %{ code block");
      t.kind = TokenKind::kCode;
      t.text = TrimSpacesAndTabs(s_.substr(i_ + 2, close - i_ - 2));
      Advance(close + 2 - i_);
      return t;
    }
    if (c == '"' || c == '`') {
      const size_t n = QuotedLength(s_, i_, c);
      if (n == 0) {
        return ErrorAt(t.location, c == '"' ? "unterminated string" : "unterminated `command`");
      }
      t.kind = (c == '"') ? TokenKind::kString : TokenKind::kBackQuoted;
      t.text = absl::StrCat(s_.substr(i_ + 1, n - 2));
      Advance(n);
      return t;
    }

    // Longest match; on a tie the rule listed first in lexer.l wins.
    const Candidates m = Measure(s_, i_);
    struct Choice {
      size_t len;
      TokenKind kind;
    };
    const Choice order[] = {
        {m.ellipsis, TokenKind::kEllipsis},
        {m.option, TokenKind::kOption},
        {m.floating, TokenKind::kFloat},
        {m.integer, TokenKind::kInteger},
        {m.hex, TokenKind::kHexInteger},
        {m.word, TokenKind::kWord},
        {1, TokenKind::kPunct},
        {m.ipv4, TokenKind::kIpv4},
        {m.ipv6, TokenKind::kIpv6},
    };
    Choice best = order[0];
    for (const Choice& ch : order) {
      if (ch.len > best.len) best = ch;
    }
    t.kind = best.kind;
    t.text = absl::StrCat(s_.substr(i_, best.len));
    if (t.kind == TokenKind::kOption) t.text = t.text.substr(2);
    if (t.kind == TokenKind::kInteger) {
      const bool negative = t.text[0] == '-';
      if (!ParseInt64(absl::string_view(t.text).substr(negative ? 1 : 0), 10, negative, &t.value)) {
        return ErrorAt(t.location, absl::StrCat("integer out of range: ", t.text));
      }
    } else if (t.kind == TokenKind::kHexInteger) {
      if (!ParseInt64(absl::string_view(t.text).substr(2), 16, false, &t.value)) {
        return ErrorAt(t.location, absl::StrCat("integer out of range: ", t.text));
      }
    }
    Advance(best.len);
    return t;
  }

  absl::string_view s_;
  size_t i_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

absl::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd:
      return "end of script";
    case TokenKind::kInteger:
      return "integer";
    case TokenKind::kHexInteger:
      return "hex integer";
    case TokenKind::kFloat:
      return "number";
    case TokenKind::kWord:
      return "word";
    case TokenKind::kString:
      return "string";
    case TokenKind::kBackQuoted:
      return "`command`";
    case TokenKind::kCode:
      return "%{code}%";
    case TokenKind::kOption:
      return "--option";
    case TokenKind::kEllipsis:
      return "...";
    case TokenKind::kIpv4:
      return "IPv4 address";
    case TokenKind::kIpv6:
      return "IPv6 address";
    case TokenKind::kPunct:
      return "punctuation";
  }
  return "token";
}

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text) { return Lexer(text).Run(); }

}  // namespace tcpaas::conformance
