#include "stack/base/counters.h"

namespace tcpaas {

std::string_view DropReasonName(DropReason r) {
  switch (r) {
#define TCPAAS_CASE(e, name) \
  case DropReason::e:        \
    return name;
    TCPAAS_DROP_REASONS(TCPAAS_CASE)
#undef TCPAAS_CASE
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

std::string_view CloseReasonName(CloseReason r) {
  switch (r) {
#define TCPAAS_CASE(e, name) \
  case CloseReason::e:       \
    return name;
    TCPAAS_CLOSE_REASONS(TCPAAS_CASE)
#undef TCPAAS_CASE
    case CloseReason::kCount:
      break;
  }
  return "unknown";
}

std::string_view RetransmitKindName(RetransmitKind k) {
  switch (k) {
    case RetransmitKind::kTimeout:
      return "timeout";
    case RetransmitKind::kFast:
      return "fast";
    case RetransmitKind::kTlp:
      return "tlp";
    case RetransmitKind::kRack:
      return "rack";
    case RetransmitKind::kCount:
      break;
  }
  return "unknown";
}

void RttHistogram::Observe(double seconds) {
  size_t i = 0;
  while (i < kRttBucketBounds.size() && seconds > kRttBucketBounds[i]) ++i;
  ++buckets[i];
  ++count;
  sum_seconds += seconds;
}

uint64_t StackCounters::TotalDrops() const {
  uint64_t total = 0;
  for (uint64_t d : drops) total += d;
  return total;
}

}  // namespace tcpaas
