#include "stack/tcp/reordering.h"

#include <algorithm>

namespace tcpaas::tcp {

void ReorderingDegree::OnLateDelivery(SeqNum low_seq, SeqNum fack, uint32_t mss) {
  if (!(low_seq < fack) || mss == 0) return;
  const uint32_t metric = static_cast<uint32_t>(fack - low_seq);
  if (metric > uint64_t{segments_} * mss) {
    const uint32_t segs = static_cast<uint32_t>((uint64_t{metric} + mss - 1) / mss);
    segments_ = std::min(segs, kMax);
  }
  ++events_;
}

}  // namespace tcpaas::tcp
