// Proportional Rate Reduction (RFC 9937, which obsoletes RFC 6937): how many bytes fast
// recovery may send in answer to each ACK, so that the data in flight comes down to ssthresh
// smoothly, stays ACK-clocked (no bursts, no stalls when many segments are lost) and ends
// recovery as close to ssthresh as possible.
//
// RFC 9937 §6: while pipe > ssthresh, the proportional part sends ssthresh/RecoverFS of
// what was delivered. Once pipe is at or below ssthresh, it grows back towards ssthresh with
// the conservative reduction bound (PRR-CRB: packet conservation, no more than delivered) by
// default, and with the slow start reduction bound (PRR-SSRB: one SMSS more) only on a
// "SafeACK", an ACK that advances SND.UNA and indicates no further loss. Linux does the same
// since 2015 ("tcp: PRR uses CRB mode by default and SS mode conditionally").
#ifndef TCPAAS_STACK_TCP_PRR_H_
#define TCPAAS_STACK_TCP_PRR_H_

#include <cstdint>
#include <optional>

namespace tcpaas::tcp {

// One ACK as PRR sees it (RFC 9937 §6, per-ACK steps).
struct PrrAck {
  uint32_t delivered = 0;  // DeliveredData: bytes this ACK newly delivered to the receiver
  uint32_t pipe = 0;       // RFC 6675 pipe after the ACK's scoreboard update and loss marks
  uint32_t ssthresh = 0;   // the congestion control's target
  uint32_t mss = 0;        // SMSS
  bool safe_ack = false;   // SafeACK: SND.UNA advanced and no further loss was indicated
};

class ProportionalRateReduction {
 public:
  // RFC 9937 §6, initialization at the start of fast recovery: prr_delivered = prr_out = 0
  // and RecoverFS, the flight at the start of recovery less what the peer had SACKed before
  // (the connection computes it; RFC 6937 used the whole FlightSize).
  void Start(uint32_t recover_fs);
  // The sndcnt for an episode started without an ACK (RACK's reorder timer, RFC 8985 §6.2):
  // RFC 9937 §6 forces the fast retransmit, one SMSS, when nothing was sent yet.
  uint32_t StartSndcnt(uint32_t mss) const { return prr_out_ == 0 ? mss : 0; }
  // RFC 9937 §6, per ACK in recovery. Returns sndcnt, the bytes that may be sent now
  // (cwnd = pipe + sndcnt), or nullopt when the ACK delivered nothing (DeliveredData == 0:
  // a window update, a D-SACK of old data): then cwnd is left as it is.
  std::optional<uint32_t> OnAck(const PrrAck& ack);
  // RFC 9937 §6, per transmission: bytes sent (new data or retransmissions) in recovery.
  void OnSent(uint32_t bytes) { prr_out_ += bytes; }

  // DeliveredData for a sender without SACK (RFC 9937 §6.2): one SMSS per duplicate ACK,
  // but not beyond RecoverFS in the whole episode (so that a receiver sending extra
  // duplicates cannot inflate it); on an ACK that advances SND.UNA by `una_advance`, that
  // advance less what the duplicate ACKs before it were already counted for. (The
  // connection's recovery without SACK is still RFC 6582's window inflation.)
  uint32_t DeliveredWithoutSack(bool duplicate_ack, uint32_t una_advance, uint32_t mss);

  uint64_t prr_delivered() const { return prr_delivered_; }
  uint64_t prr_out() const { return prr_out_; }
  uint32_t recover_fs() const { return recover_fs_; }

 private:
  uint64_t prr_delivered_ = 0;
  uint64_t prr_out_ = 0;
  uint32_t recover_fs_ = 1;
  // Without SACK: bytes the duplicate ACKs were counted for that no cumulative ACK has
  // covered yet.
  uint64_t dupack_credit_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_PRR_H_
