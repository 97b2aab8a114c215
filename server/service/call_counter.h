// Counts finished RPCs by method and final status code, for the metrics snapshot.
// Thread-safe (reactors finish on the stack thread, refusals on gRPC threads).
#ifndef TCPAAS_SERVER_SERVICE_CALL_COUNTER_H_
#define TCPAAS_SERVER_SERVICE_CALL_COUNTER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/status.h"

namespace tcpaas::server {

struct CallCount {
  std::string method;  // "Connect", "Send", ...
  std::string code;    // "OK", "UNAVAILABLE", ...
  uint64_t count = 0;
};

class CallCounter {
 public:
  void Record(absl::string_view method, grpc::StatusCode code);
  // Every (method, code) seen so far, sorted by method then code.
  std::vector<CallCount> Snapshot() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::pair<std::string, std::string>, uint64_t> counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tcpaas::server

#endif  // TCPAAS_SERVER_SERVICE_CALL_COUNTER_H_
