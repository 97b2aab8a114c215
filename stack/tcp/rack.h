// RACK, the time-based loss detection of RFC 8985 §6, sans I/O: the sender's RACK state and
// the rules that update it. A segment is lost when a segment sent sufficiently later (by
// more than the reordering window) was delivered. The connection feeds it the segments each
// ACK delivered (from its TxLog, rack_tx_log.h), asks it which outstanding segments are lost
// and arms the reordering timer (TimerKind::kRackReorder) for the rest.
#ifndef TCPAAS_STACK_TCP_RACK_H_
#define TCPAAS_STACK_TCP_RACK_H_

#include <cstdint>
#include <optional>

#include "stack/base/time.h"
#include "stack/tcp/rack_tx_log.h"
#include "stack/wire/seq.h"

namespace tcpaas::tcp {

class Rack {
 public:
  // RFC 8985 §6.2 step 4: the multiplier persists for 16 D-SACK-free recoveries.
  static constexpr int kReoWndPersist = 16;

  // An RTT sample of the connection (RFC 6298 measurement): RACK.min_RTT follows it.
  void OnRttSample(Duration rtt);

  // RFC 8985 §6.2 steps 2 and 3 for one segment that this ACK delivered (cumulatively or
  // by SACK), in ascending order of end_seq. `now` is the ACK's arrival.
  void OnDelivered(const TxRecord& seg, Instant now);

  // RFC 8985 §6.2 step 4, once per ACK. `dsack`: the ACK carried a D-SACK.
  void UpdateReoWnd(bool dsack, SeqNum snd_una, SeqNum snd_nxt);
  // Fast or RTO recovery ended (step 4: the persist count runs down).
  void OnRecoveryExit();
  // The reordering window (step 4's RACK_update_reo_wnd()) for a sender `in_recovery` (fast
  // or RTO recovery) with `segs_sacked` segments SACKed and smoothed RTT `srtt`.
  Duration ReoWnd(bool in_recovery, uint32_t segs_sacked, Duration srtt) const;

  // RFC 8985 §6.2 step 5 for one outstanding segment, given the reordering window: nullopt
  // if it was not sent before the most recently delivered segment (RACK knows nothing of
  // it yet); otherwise the time left until it is lost (<= 0: lost now).
  std::optional<Duration> Remaining(const TxRecord& seg, Duration reo_wnd, Instant now) const;

  // Step 5 rearranged: a segment sent before the most recently delivered one is lost when
  // it was sent at or before this time (xmit_ts + RACK.rtt + reo_wnd <= now).
  Instant LostIfSentBy(Duration reo_wnd, Instant now) const { return now - rtt_ - reo_wnd; }

  // True once any segment has been delivered (RACK.xmit_ts is defined).
  bool has_sample() const { return !xmit_ts_.is_never(); }
  Instant xmit_ts() const { return xmit_ts_; }
  uint64_t xmit_order() const { return xmit_order_; }
  SeqNum end_seq() const { return end_seq_; }
  SeqNum fack() const { return fack_; }
  Duration rtt() const { return rtt_; }
  Duration min_rtt() const { return min_rtt_; }
  bool reordering_seen() const { return reordering_seen_; }
  int reo_wnd_mult() const { return reo_wnd_mult_; }
  int reo_wnd_persist() const { return reo_wnd_persist_; }

  // RFC 8985 §6.2 RACK_sent_after(t1, seq1, t2, seq2), with ties broken by transmission
  // order rather than sequence number (see TxRecord::xmit_order).
  static bool SentAfter(Instant t1, uint64_t order1, Instant t2, uint64_t order2) {
    return t1 > t2 || (t1 == t2 && order1 > order2);
  }

 private:
  Instant xmit_ts_ = Instant::Never();  // RACK.xmit_ts (Never: undefined)
  SeqNum end_seq_;                      // RACK.end_seq
  uint64_t xmit_order_ = 0;             // the transmission order of RACK's segment
  bool fack_valid_ = false;
  SeqNum fack_;                           // RACK.fack
  Duration rtt_ = Duration::Zero();       // RACK.rtt
  Duration min_rtt_ = Duration::Zero();   // RACK.min_RTT (Zero: no sample yet)
  bool reordering_seen_ = false;          // RACK.reordering_seen
  int reo_wnd_mult_ = 1;                  // RACK.reo_wnd_mult
  int reo_wnd_persist_ = kReoWndPersist;  // RACK.reo_wnd_persist
  std::optional<SeqNum> dsack_round_;     // RACK.dsack_round
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_RACK_H_
