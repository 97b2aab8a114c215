#include "stack/base/time.h"

#include "absl/strings/str_cat.h"

namespace tcpaas {

std::string Duration::ToString() const {
  if (is_infinite()) return "inf";
  const int64_t abs_ns = ns_ < 0 ? -ns_ : ns_;
  if (abs_ns >= 1000 * 1000 * 1000) return absl::StrCat(static_cast<double>(ns_) / 1e9, "s");
  if (abs_ns >= 1000 * 1000) return absl::StrCat(static_cast<double>(ns_) / 1e6, "ms");
  if (abs_ns >= 1000) return absl::StrCat(static_cast<double>(ns_) / 1e3, "us");
  return absl::StrCat(ns_, "ns");
}

}  // namespace tcpaas
