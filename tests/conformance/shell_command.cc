#include "tests/conformance/shell_command.h"

#include <cctype>
#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace tcpaas::conformance {
namespace {

// Recursive descent over + - * / % ( ) and decimal integers.
class Arithmetic {
 public:
  explicit Arithmetic(absl::string_view s) : s_(s) {}

  absl::StatusOr<long long> Run() {
    absl::StatusOr<long long> v = Sum();
    if (!v.ok()) return v;
    SkipSpace();
    if (i_ != s_.size()) return Bad();
    return v;
  }

 private:
  absl::Status Bad() const {
    return absl::InvalidArgumentError(absl::StrCat("cannot evaluate $((", s_, "))"));
  }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  absl::StatusOr<long long> Sum() {
    absl::StatusOr<long long> v = Product();
    while (v.ok()) {
      SkipSpace();
      if (i_ >= s_.size() || (s_[i_] != '+' && s_[i_] != '-')) break;
      const char op = s_[i_++];
      absl::StatusOr<long long> rhs = Product();
      if (!rhs.ok()) return rhs;
      v = op == '+' ? *v + *rhs : *v - *rhs;
    }
    return v;
  }
  absl::StatusOr<long long> Product() {
    absl::StatusOr<long long> v = Factor();
    while (v.ok()) {
      SkipSpace();
      if (i_ >= s_.size() || (s_[i_] != '*' && s_[i_] != '/' && s_[i_] != '%')) break;
      const char op = s_[i_++];
      absl::StatusOr<long long> rhs = Factor();
      if (!rhs.ok()) return rhs;
      if (op != '*' && *rhs == 0) return Bad();
      v = op == '*' ? *v * *rhs : op == '/' ? *v / *rhs : *v % *rhs;
    }
    return v;
  }
  absl::StatusOr<long long> Factor() {
    SkipSpace();
    if (i_ >= s_.size()) return Bad();
    if (s_[i_] == '-') {
      ++i_;
      absl::StatusOr<long long> v = Factor();
      if (!v.ok()) return v;
      return -*v;
    }
    if (s_[i_] == '(') {
      ++i_;
      absl::StatusOr<long long> v = Sum();
      SkipSpace();
      if (!v.ok() || i_ >= s_.size() || s_[i_] != ')') return Bad();
      ++i_;
      return v;
    }
    if (!std::isdigit(static_cast<unsigned char>(s_[i_]))) return Bad();
    long long v = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      if (v > (1LL << 50)) return Bad();
      v = v * 10 + (s_[i_++] - '0');
    }
    return v;
  }

  absl::string_view s_;
  size_t i_ = 0;
};

class Splitter {
 public:
  explicit Splitter(absl::string_view text) : s_(text) {}

  absl::StatusOr<std::vector<ShellCommand>> Run() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      const char next = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
      if (c == '\\') {
        if (next == '\n') {
          ++line_;
        } else if (next != '\0') {
          word_.push_back(next);
          in_word_ = true;
        }
        i_ += 2;
      } else if (c == '\n' || c == ';') {
        if (c == '\n') ++line_;
        EndCommand();
        ++i_;
      } else if ((c == '&' && next == '&') || (c == '|' && next == '|')) {
        EndCommand();
        i_ += 2;
      } else if (c == '|') {
        EndWord();
        current_.words.push_back("|");
        ++i_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        EndWord();
        ++i_;
      } else if (c == '#' && !in_word_) {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (c == '\'') {
        const size_t close = s_.find('\'', i_ + 1);
        if (close == absl::string_view::npos) return Unterminated("'");
        absl::StrAppend(&word_, s_.substr(i_ + 1, close - i_ - 1));
        in_word_ = true;
        i_ = close + 1;
      } else if (c == '"') {
        if (absl::Status st = DoubleQuoted(); !st.ok()) return st;
      } else if (c == '$' && s_.substr(i_, 3) == "$((") {
        if (absl::Status st = ExpandArithmetic(); !st.ok()) return st;
      } else if (c == '>' || c == '<' ||
                 (std::isdigit(static_cast<unsigned char>(c)) && !in_word_ &&
                  (next == '>' || next == '<'))) {
        Redirect();
      } else {
        word_.push_back(c);
        in_word_ = true;
        ++i_;
      }
    }
    EndCommand();
    return std::move(commands_);
  }

 private:
  absl::Status Unterminated(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_ + 1, " of the command: unterminated ", what));
  }

  absl::Status DoubleQuoted() {
    ++i_;
    in_word_ = true;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size() &&
          absl::string_view("\"\\$`\n").find(s_[i_ + 1]) != absl::string_view::npos) {
        if (s_[i_ + 1] != '\n') word_.push_back(s_[i_ + 1]);
        i_ += 2;
      } else if (s_.substr(i_, 3) == "$((") {
        if (absl::Status st = ExpandArithmetic(); !st.ok()) return st;
      } else {
        if (s_[i_] == '\n') ++line_;
        word_.push_back(s_[i_++]);
      }
    }
    if (i_ >= s_.size()) return Unterminated("\"");
    ++i_;
    return absl::OkStatus();
  }

  absl::Status ExpandArithmetic() {
    size_t j = i_ + 3;
    int depth = 0;
    while (j < s_.size()) {
      if (s_[j] == '(') {
        ++depth;
      } else if (s_[j] == ')') {
        if (depth == 0) break;
        --depth;
      }
      ++j;
    }
    if (j + 1 >= s_.size() || s_[j + 1] != ')') return Unterminated("$((");
    absl::StatusOr<long long> v = EvaluateShellArithmetic(s_.substr(i_ + 3, j - i_ - 3));
    if (!v.ok()) return v.status();
    absl::StrAppend(&word_, *v);
    in_word_ = true;
    i_ = j + 2;
    return absl::OkStatus();
  }

  // [n]> [n]>> [n]< and [n]>&m; a target word follows unless the operator ends in &m.
  void Redirect() {
    EndWord();
    std::string op;
    if (std::isdigit(static_cast<unsigned char>(s_[i_]))) op.push_back(s_[i_++]);
    op.push_back(s_[i_++]);
    if (i_ < s_.size() && s_[i_] == '>') op.push_back(s_[i_++]);
    if (i_ < s_.size() && s_[i_] == '&') {
      op.push_back(s_[i_++]);
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
        op.push_back(s_[i_++]);
      }
      current_.redirects.push_back(op);
      return;
    }
    pending_redirect_ = op;
  }

  void EndWord() {
    if (!in_word_) return;
    if (!pending_redirect_.empty()) {
      current_.redirects.push_back(absl::StrCat(pending_redirect_, " ", word_));
      pending_redirect_.clear();
    } else {
      current_.words.push_back(word_);
    }
    word_.clear();
    in_word_ = false;
  }

  void EndCommand() {
    EndWord();
    if (!pending_redirect_.empty()) {
      current_.redirects.push_back(pending_redirect_);
      pending_redirect_.clear();
    }
    if (!current_.words.empty() || !current_.redirects.empty()) {
      commands_.push_back(std::move(current_));
    }
    current_ = ShellCommand();
    current_.line = line_;
  }

  absl::string_view s_;
  size_t i_ = 0;
  int line_ = 0;
  std::string word_;
  bool in_word_ = false;
  std::string pending_redirect_;
  ShellCommand current_;
  std::vector<ShellCommand> commands_;
};

}  // namespace

std::string ShellCommand::ToString() const { return absl::StrJoin(words, " "); }

absl::StatusOr<long long> EvaluateShellArithmetic(absl::string_view expr) {
  return Arithmetic(expr).Run();
}

absl::StatusOr<std::vector<ShellCommand>> SplitShellCommands(absl::string_view text) {
  return Splitter(text).Run();
}

}  // namespace tcpaas::conformance
