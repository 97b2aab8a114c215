#include "stack/tcp/prr.h"

#include <algorithm>

namespace tcpaas::tcp {

void ProportionalRateReduction::Start(uint32_t recover_fs) {
  prr_delivered_ = 0;
  prr_out_ = 0;
  dupack_credit_ = 0;
  // RecoverFS divides below; an episode started with nothing counted in pipe still divides
  // by something.
  recover_fs_ = std::max<uint32_t>(recover_fs, 1);
}

std::optional<uint32_t> ProportionalRateReduction::OnAck(const PrrAck& ack) {
  // RFC 9937 §6: "if (DeliveredData is 0) Return".
  if (ack.delivered == 0) return std::nullopt;
  prr_delivered_ += ack.delivered;
  int64_t sndcnt;
  if (ack.pipe > ack.ssthresh) {
    // Proportional rate reduction: out = CEIL(prr_delivered * ssthresh / RecoverFS).
    const uint64_t out =
        (prr_delivered_ * ack.ssthresh + recover_fs_ - 1) / static_cast<uint64_t>(recover_fs_);
    sndcnt = static_cast<int64_t>(out) - static_cast<int64_t>(prr_out_);
  } else {
    // PRR-CRB by default: what was delivered, or what earlier ACKs left unsent.
    sndcnt = std::max<int64_t>(
        static_cast<int64_t>(prr_delivered_) - static_cast<int64_t>(prr_out_), ack.delivered);
    // PRR-SSRB when recovery makes good progress.
    if (ack.safe_ack) sndcnt += ack.mss;
    // Catch up towards ssthresh, no further.
    sndcnt = std::min<int64_t>(int64_t{ack.ssthresh} - int64_t{ack.pipe}, sndcnt);
  }
  sndcnt = std::max<int64_t>(sndcnt, 0);
  // "Force a fast retransmit upon entering recovery" (the RFC's "prr_out is 0 AND sndcnt is
  // 0"): counted in bytes, the proportional part may allow a fraction of a segment on the
  // first ACK, which would not let the retransmission out either, so one SMSS at least.
  if (prr_out_ == 0) sndcnt = std::max<int64_t>(sndcnt, ack.mss);
  return static_cast<uint32_t>(std::min<int64_t>(sndcnt, UINT32_MAX));
}

uint32_t ProportionalRateReduction::DeliveredWithoutSack(bool duplicate_ack, uint32_t una_advance,
                                                         uint32_t mss) {
  if (duplicate_ack) {
    // RFC 9937 §6.2: one SMSS per duplicate ACK, while prr_delivered stays within RecoverFS.
    if (prr_delivered_ >= recover_fs_) return 0;
    dupack_credit_ += mss;
    return mss;
  }
  // A partial or full ACK: the advance of SND.UNA, minus the duplicates already counted.
  const uint64_t counted = std::min<uint64_t>(dupack_credit_, una_advance);
  dupack_credit_ -= counted;
  return static_cast<uint32_t>(una_advance - counted);
}

}  // namespace tcpaas::tcp
