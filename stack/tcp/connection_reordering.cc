// The degree of reordering the peer's SACKs show (Linux's tp->reordering, TCP_INFO's
// tcpi_reordering): see reordering.h.
#include <optional>

#include "stack/tcp/connection.h"

namespace tcpaas::tcp {

SeqNum Connection::Fack(SeqNum una) const {
  // Linux's tcp_highest_sack_seq(): where the segment after the highest SACKed one starts,
  // that is the end of the highest SACKed range; SND.UNA when nothing is SACKed.
  return scoreboard_.empty() ? una : SeqMax(scoreboard_.high_sacked(), una);
}

void Connection::CheckSackReordering(SeqNum ack, SeqNum prior_fack) {
  // The lowest segment, never retransmitted, that this ACK delivered (SACKed it, or
  // cumulatively acknowledged it without a SACK before) below the highest one SACKed before:
  // it arrived after segments sent later than itself (tcp_sacktag_one, tcp_clean_rtx_queue).
  const SeqNum sacked_end = scoreboard_.empty() ? ack : SeqMax(ack, scoreboard_.high_sacked());
  SackCursor cursor(scoreboard_);
  std::optional<SeqNum> low;
  for (size_t i = 0; i < tx_log_.size(); ++i) {
    const TxRecord& r = tx_log_[i];
    if (r.left >= sacked_end || r.left >= prior_fack) break;
    if (r.delivered) continue;  // delivered by an earlier ACK
    const bool delivered = r.right <= ack || cursor.Unsacked(SeqMax(r.left, ack), r.right) == 0;
    if (!delivered || r.retransmitted) continue;
    low = r.left;
    break;  // the lowest one is all that counts
  }
  if (low.has_value()) reordering_.OnLateDelivery(*low, Fack(ack), SegmentSize());
}

}  // namespace tcpaas::tcp
