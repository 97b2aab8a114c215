// The degree of reordering the peer's SACKs have shown, in segments: Linux's tp->reordering,
// reported as TCP_INFO's tcpi_reordering. It starts at the duplicate-ACK threshold (RFC 5681
// §3.2's three; net.ipv4.tcp_reordering) and rises when a segment that was never
// retransmitted is delivered (SACKed, or cumulatively acknowledged without having been
// SACKed) below the end of the highest segment SACKed before: it arrived that many segments
// late (Linux's tcp_check_sack_reordering). Loss detection here is RACK's (RFC 8985), which keeps
// its own reordering window; this figure is reported, not used to decide losses.
#ifndef TCPAAS_STACK_TCP_REORDERING_H_
#define TCPAAS_STACK_TCP_REORDERING_H_

#include <cstdint>

#include "stack/wire/seq.h"

namespace tcpaas::tcp {

class ReorderingDegree {
 public:
  static constexpr uint32_t kInitial = 3;  // net.ipv4.tcp_reordering
  static constexpr uint32_t kMax = 300;    // net.ipv4.tcp_max_reordering

  // A never-retransmitted segment starting at `low_seq` was delivered by an ACK after which
  // the highest SACKed segment ends at `fack` (SND.UNA when nothing is SACKed). The
  // distance, in segments of `mss` rounded up, raises the degree when it is larger.
  void OnLateDelivery(SeqNum low_seq, SeqNum fack, uint32_t mss);

  uint32_t segments() const { return segments_; }
  // How many ACKs showed reordering (Linux's tcpi_reord_seen).
  uint32_t events() const { return events_; }

 private:
  uint32_t segments_ = kInitial;
  uint32_t events_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_REORDERING_H_
