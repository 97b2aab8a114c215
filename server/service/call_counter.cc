#include "server/service/call_counter.h"

#include <algorithm>

#include "server/service/status_mapping.h"

namespace tcpaas::server {

void CallCounter::Record(absl::string_view method, grpc::StatusCode code) {
  absl::MutexLock lock(&mu_);
  ++counts_[{std::string(method), std::string(StatusCodeName(code))}];
}

std::vector<CallCount> CallCounter::Snapshot() const {
  std::vector<CallCount> out;
  {
    absl::MutexLock lock(&mu_);
    out.reserve(counts_.size());
    for (const auto& [key, count] : counts_) {
      out.push_back(CallCount{.method = key.first, .code = key.second, .count = count});
    }
  }
  std::sort(out.begin(), out.end(), [](const CallCount& a, const CallCount& b) {
    return std::tie(a.method, a.code) < std::tie(b.method, b.code);
  });
  return out;
}

}  // namespace tcpaas::server
