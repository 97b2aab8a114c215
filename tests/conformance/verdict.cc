#include "tests/conformance/verdict.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace tcpaas::conformance {
namespace {

std::string OneLine(absl::string_view s) {
  std::string out = absl::StrReplaceAll(absl::StripTrailingAsciiWhitespace(s), {{"\r", ""}});
  return absl::StrReplaceAll(out, {{"\n", "; "}});
}

}  // namespace

std::string FormatVerdict(absl::string_view path, const Verdict& v) {
  switch (v.kind) {
    case Verdict::Kind::kPass:
      return absl::StrCat("PASS ", path);
    case Verdict::Kind::kFail:
      if (v.line > 0) return absl::StrCat("FAIL ", path, ":", v.line, ": ", OneLine(v.message));
      return absl::StrCat("FAIL ", path, ": ", OneLine(v.message));
    case Verdict::Kind::kUnsupported:
      return absl::StrCat("UNSUPPORTED ", path, ": ", OneLine(v.message));
  }
  return "";
}

void Tally::Add(const Verdict& v) {
  switch (v.kind) {
    case Verdict::Kind::kPass:
      ++passed;
      break;
    case Verdict::Kind::kFail:
      ++failed;
      break;
    case Verdict::Kind::kUnsupported:
      ++unsupported;
      break;
  }
}

std::string Tally::Summary() const {
  return absl::StrCat("conformance: ", passed, " passed, ", failed, " failed, ", unsupported,
                      " unsupported");
}

}  // namespace tcpaas::conformance
