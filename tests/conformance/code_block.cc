#include "tests/conformance/code_block.h"

#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tcpaas::conformance {
namespace {

struct Tok {
  enum class Kind { kEnd, kSep, kInt, kName, kString, kOp };
  Kind kind = Kind::kEnd;
  std::string text;
  int64_t value = 0;
};

// Tokens of the block; newlines inside parentheses do not end a statement.
bool Tokenize(absl::string_view code, std::vector<Tok>* out, std::string* error) {
  int depth = 0;
  size_t i = 0;
  while (i < code.size()) {
    const char c = code[i];
    if (c == '\\' && i + 1 < code.size() && code[i + 1] == '\n') {
      i += 2;
    } else if (c == '#') {
      while (i < code.size() && code[i] != '\n') ++i;
    } else if (c == '\n' || c == ';') {
      if (depth == 0 || c == ';') out->push_back({Tok::Kind::kSep, std::string(1, c)});
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\\') {
      ++i;
    } else if (c == '\'' || c == '"') {
      size_t j = i + 1;
      while (j < code.size() && code[j] != c) j += (code[j] == '\\') ? 2 : 1;
      if (j >= code.size()) {
        *error = "unterminated string";
        return false;
      }
      out->push_back({Tok::Kind::kString, absl::StrCat(code.substr(i + 1, j - i - 1))});
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < code.size() && std::isalnum(static_cast<unsigned char>(code[j]))) ++j;
      Tok t{Tok::Kind::kInt, absl::StrCat(code.substr(i, j - i))};
      const bool ok = absl::StartsWith(t.text, "0x") ? absl::SimpleHexAtoi(t.text, &t.value)
                                                     : absl::SimpleAtoi(t.text, &t.value);
      if (!ok) {
        *error = absl::StrCat("bad number ", t.text);
        return false;
      }
      out->push_back(t);
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < code.size() &&
             (std::isalnum(static_cast<unsigned char>(code[j])) || code[j] == '_')) {
        ++j;
      }
      out->push_back({Tok::Kind::kName, absl::StrCat(code.substr(i, j - i))});
      i = j;
    } else {
      static constexpr absl::string_view kTwo[] = {"==", "!=", "<=", ">=", "//", "**"};
      std::string op(1, c);
      for (absl::string_view two : kTwo) {
        if (code.substr(i, 2) == two) op = absl::StrCat(two);
      }
      if (op == "(" || op == "[" || op == "{") ++depth;
      if (op == ")" || op == "]" || op == "}") --depth;
      out->push_back({Tok::Kind::kOp, op});
      i += op.size();
    }
  }
  out->push_back({Tok::Kind::kEnd, ""});
  return true;
}

class Evaluator {
 public:
  Evaluator(const std::vector<Tok>& toks, absl::flat_hash_map<std::string, int64_t>* globals,
            const CodeBlockEvaluator::Lookup& lookup)
      : t_(toks), globals_(globals), lookup_(lookup) {}

  // Runs every statement; returns the first failure.
  CodeBlockEvaluator::Result Run() {
    using R = CodeBlockEvaluator::Result;
    while (Peek().kind != Tok::Kind::kEnd) {
      if (Peek().kind == Tok::Kind::kSep) {
        ++p_;
        continue;
      }
      const size_t start = p_;
      reads_.clear();
      if (IsName("assert")) {
        ++p_;
        const int64_t v = Test();
        if (!error_.empty()) return {R::Kind::kUnsupported, error_};
        SkipToSeparator();  // the message is only for Python's traceback
        if (v == 0) {
          return {R::Kind::kAssertionFailed,
                  absl::StrCat("assert ", Text(start), " failed (", Reads(), ")")};
        }
      } else if (Peek().kind == Tok::Kind::kName && PeekAt(1).kind == Tok::Kind::kOp &&
                 PeekAt(1).text == "=") {
        const std::string name = t_[p_].text;
        p_ += 2;
        const int64_t v = Test();
        if (!error_.empty()) return {R::Kind::kUnsupported, error_};
        (*globals_)[name] = v;
        if (Peek().kind != Tok::Kind::kSep && Peek().kind != Tok::Kind::kEnd) {
          return {R::Kind::kUnsupported, absl::StrCat("cannot run Python: ", Text(start))};
        }
      } else {
        return {R::Kind::kUnsupported, absl::StrCat("cannot run Python: ", Text(start))};
      }
    }
    if (!error_.empty()) return {R::Kind::kUnsupported, error_};
    return {};
  }

 private:
  const Tok& Peek() const { return t_[p_]; }
  const Tok& PeekAt(size_t k) const { return t_[std::min(p_ + k, t_.size() - 1)]; }
  bool IsName(absl::string_view n) const {
    return Peek().kind == Tok::Kind::kName && Peek().text == n;
  }
  bool IsOp(absl::string_view op) const {
    return Peek().kind == Tok::Kind::kOp && Peek().text == op;
  }
  void SkipToSeparator() {
    while (Peek().kind != Tok::Kind::kSep && Peek().kind != Tok::Kind::kEnd) ++p_;
  }
  std::string Reads() const { return absl::StrJoin(reads_, ", "); }
  // The statement starting at `start`, for messages.
  std::string Text(size_t start) const {
    std::vector<std::string> words;
    for (size_t i = start + (t_[start].text == "assert" ? 1 : 0);
         i < t_.size() && t_[i].kind != Tok::Kind::kSep && t_[i].kind != Tok::Kind::kEnd; ++i) {
      if (t_[i].kind == Tok::Kind::kOp && t_[i].text == ",") break;
      words.push_back(t_[i].text);
    }
    return absl::StrJoin(words, " ");
  }
  int64_t Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return 0;
  }

  int64_t Test() {
    int64_t v = And();
    while (IsName("or")) {
      ++p_;
      const int64_t rhs = And();
      v = (v != 0 || rhs != 0) ? 1 : 0;
    }
    return v;
  }
  int64_t And() {
    int64_t v = Not();
    while (IsName("and")) {
      ++p_;
      const int64_t rhs = Not();
      v = (v != 0 && rhs != 0) ? 1 : 0;
    }
    return v;
  }
  int64_t Not() {
    if (IsName("not")) {
      ++p_;
      return Not() == 0 ? 1 : 0;
    }
    return Comparison();
  }
  // Python chains comparisons: a < b <= c means a < b and b <= c.
  int64_t Comparison() {
    int64_t left = Sum();
    bool result = true;
    bool any = false;
    while (Peek().kind == Tok::Kind::kOp) {
      const std::string op = Peek().text;
      if (op != "==" && op != "!=" && op != "<" && op != "<=" && op != ">" && op != ">=") break;
      ++p_;
      const int64_t right = Sum();
      const bool r = op == "=="   ? left == right
                     : op == "!=" ? left != right
                     : op == "<"  ? left < right
                     : op == "<=" ? left <= right
                     : op == ">"  ? left > right
                                  : left >= right;
      result = result && r;
      any = true;
      left = right;
    }
    if (!any) return left;
    return result ? 1 : 0;
  }
  int64_t Sum() {
    int64_t v = Product();
    while (IsOp("+") || IsOp("-")) {
      const bool plus = Peek().text == "+";
      ++p_;
      const int64_t rhs = Product();
      v = plus ? v + rhs : v - rhs;
    }
    return v;
  }
  int64_t Product() {
    int64_t v = Unary();
    while (IsOp("*") || IsOp("/") || IsOp("//") || IsOp("%")) {
      const std::string op = Peek().text;
      ++p_;
      const int64_t rhs = Unary();
      if (op == "*") {
        v *= rhs;
      } else if (rhs == 0) {
        return Fail("division by zero");
      } else if (op == "%") {
        v %= rhs;
      } else {
        if (op == "/" && v % rhs != 0) return Fail("true division with a fractional result");
        v /= rhs;
      }
    }
    return v;
  }
  int64_t Unary() {
    if (IsOp("-")) {
      ++p_;
      return -Unary();
    }
    if (IsOp("+")) {
      ++p_;
      return Unary();
    }
    return Atom();
  }
  int64_t Atom() {
    const Tok& t = Peek();
    if (t.kind == Tok::Kind::kInt) {
      ++p_;
      return t.value;
    }
    if (t.kind == Tok::Kind::kName) {
      ++p_;
      if (t.text == "True") return 1;
      if (t.text == "False") return 0;
      if (auto it = globals_->find(t.text); it != globals_->end()) return it->second;
      if (std::optional<int64_t> v = lookup_(t.text)) {
        reads_.push_back(absl::StrCat(t.text, " = ", *v));
        return *v;
      }
      return Fail(absl::StrCat(t.text, " is not available to the runner"));
    }
    if (IsOp("(")) {
      ++p_;
      const int64_t v = Test();
      if (!IsOp(")")) return Fail("cannot run Python: expected ')'");
      ++p_;
      return v;
    }
    return Fail(absl::StrCat("cannot run Python near '", t.text, "'"));
  }

  const std::vector<Tok>& t_;
  size_t p_ = 0;
  absl::flat_hash_map<std::string, int64_t>* globals_;
  const CodeBlockEvaluator::Lookup& lookup_;
  std::string error_;
  std::vector<std::string> reads_;  // "tcpi_x = 12", for the failure message
};

}  // namespace

CodeBlockEvaluator::Result CodeBlockEvaluator::Run(absl::string_view code, const Lookup& lookup) {
  std::vector<Tok> toks;
  std::string error;
  if (!Tokenize(code, &toks, &error)) {
    return {Result::Kind::kUnsupported, absl::StrCat("cannot run Python: ", error)};
  }
  return Evaluator(toks, &globals_, lookup).Run();
}

}  // namespace tcpaas::conformance
