#include "tests/conformance/script.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace tcpaas::conformance {
namespace {

std::string JoinItems(const std::vector<Expression>& items, absl::string_view sep) {
  return absl::StrJoin(items, sep, [](std::string* out, const Expression& e) {
    absl::StrAppend(out, e.ToString());
  });
}

}  // namespace

std::string Expression::ToString() const {
  switch (kind) {
    case Kind::kEllipsis:
      return "...";
    case Kind::kInteger:
      return hex ? absl::StrFormat("%#x", integer) : absl::StrCat(integer);
    case Kind::kWord:
      return text;
    case Kind::kString:
      return absl::StrCat("\"", text, "\"", string_ellipsis ? "..." : "");
    case Kind::kList:
      return absl::StrCat("[", JoinItems(items, ", "), "]");
    case Kind::kStruct:
      return absl::StrCat("{", JoinItems(items, ", "), "}");
    case Kind::kCall:
      return absl::StrCat(text, "(", JoinItems(items, ", "), ")");
    case Kind::kAssign:
      return items.size() == 2 ? absl::StrCat(items[0].ToString(), "=", items[1].ToString())
                               : "?=?";
    case Kind::kBitOr:
      return JoinItems(items, "|");
  }
  return "?";
}

}  // namespace tcpaas::conformance
