// The degree of reordering the peer's SACKs show (Linux's tp->reordering, TCP_INFO's
// tcpi_reordering): see reordering.h.
#include "stack/tcp/connection.h"

namespace tcpaas::tcp {

SeqNum Connection::Fack(SeqNum una) const {
  // Linux's tcp_highest_sack_seq(): where the segment after the highest SACKed one starts,
  // that is the end of the highest SACKed range; SND.UNA when nothing is SACKed.
  return scoreboard_.empty() ? una : SeqMax(scoreboard_.high_sacked(), una);
}

void Connection::NoteLateDelivery(SeqNum low, SeqNum ack) {
  reordering_.OnLateDelivery(low, Fack(ack), SegmentSize());
}

}  // namespace tcpaas::tcp
