#include "stack/tcp/prr.h"

#include <algorithm>

namespace tcpaas::tcp {

void ProportionalRateReduction::Start(uint32_t recover_fs) {
  prr_delivered_ = 0;
  prr_out_ = 0;
  recover_fs_ = std::max<uint32_t>(recover_fs, 1);
}

uint32_t ProportionalRateReduction::OnAck(uint32_t delivered, uint32_t pipe, uint32_t ssthresh,
                                          uint32_t mss) {
  prr_delivered_ += delivered;
  int64_t sndcnt;
  if (pipe > ssthresh) {
    // RFC 6937 §3.1, proportional part: send ssthresh/RecoverFS of what was delivered.
    const uint64_t allowed = (prr_delivered_ * ssthresh + recover_fs_ - 1) / recover_fs_;
    sndcnt = static_cast<int64_t>(allowed) - static_cast<int64_t>(prr_out_);
  } else {
    // PRR-SSRB (slow start reduction bound): grow back towards ssthresh, at most one segment
    // more than was delivered.
    const int64_t owed = static_cast<int64_t>(prr_delivered_) - static_cast<int64_t>(prr_out_);
    const int64_t limit = std::max<int64_t>(owed, delivered) + mss;
    sndcnt = std::min<int64_t>(int64_t{ssthresh} - pipe, limit);
  }
  sndcnt = std::max<int64_t>(sndcnt, 0);
  // The fast retransmit itself goes whatever the reduction says (as Linux's
  // tcp_cwnd_reduction and RFC 6675 §5 step 4.3).
  if (prr_out_ == 0) sndcnt = std::max<int64_t>(sndcnt, mss);
  return static_cast<uint32_t>(std::min<int64_t>(sndcnt, UINT32_MAX));
}

}  // namespace tcpaas::tcp
