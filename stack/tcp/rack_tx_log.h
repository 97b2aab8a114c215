// What RACK (RFC 8985 §6.1) needs to know about every data segment in flight: when it was
// last (re)transmitted, whether it ever was retransmitted, whether RACK (or a timeout)
// marked it lost, and whether a retransmission of it is in flight. One record per segment
// sent, kept in sequence order from SND.UNA to SND.MAX.
//
// Bounded: at most kMaxRecords records. A segment sent when the log is full is merged into
// the last record, with the later transmission time; that only makes RACK slower to call
// the merged bytes lost (they look newer), never quicker. Retransmissions split records
// when they cover only part of one, within the same bound.
#ifndef TCPAAS_STACK_TCP_RACK_TX_LOG_H_
#define TCPAAS_STACK_TCP_RACK_TX_LOG_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stack/base/time.h"
#include "stack/wire/seq.h"

namespace tcpaas::tcp {

class SackScoreboard;

// UnSACKed bytes of ranges asked for in ascending order, walking the scoreboard once
// (O(records + ranges) over a whole log instead of a scoreboard search per record).
class SackCursor {
 public:
  explicit SackCursor(const SackScoreboard& sb) : sb_(sb) {}
  // Bytes of [left, right) not SACKed; `left` must not decrease between calls.
  uint32_t Unsacked(SeqNum left, SeqNum right);

 private:
  const SackScoreboard& sb_;
  size_t next_ = 0;  // the first range that may still end after the next `left`
};

struct TxRecord {
  SeqNum left;
  SeqNum right;     // [left, right) in sequence space (a FIN counts one)
  Instant xmit_ts;  // RFC 8985 Segment.xmit_ts: the last (re)transmission
  // The order of that transmission among all of the connection's (a counter). RFC 8985
  // §6.2 breaks ties of equal xmit_ts by end_seq, which assumes that segments sent at the
  // same time went in sequence order; a retransmission sent in the same clock tick as
  // higher data would be misjudged, so ties are broken by this instead.
  uint64_t xmit_order = 0;
  bool retransmitted = false;     // RFC 8985 Segment.retransmitted
  bool lost = false;              // RFC 8985 Segment.lost: marked lost in this episode
  bool rexmit_in_flight = false;  // a retransmission was sent since it was last marked lost
  bool delivered = false;         // fully SACKed once (RACK has taken it into account)
  bool marked_by_rack = false;    // the last loss mark came from RACK, not a timeout
};

class TxLog {
 public:
  static constexpr size_t kMaxRecords = 16384;

  // [left, right) was sent at `now`. Above the highest record: a new record. At or below it:
  // a retransmission; the records it covers get `now`, retransmitted and rexmit_in_flight.
  void OnTransmit(SeqNum left, SeqNum right, Instant now);
  // SND.UNA moved to `una`: records below it go, one straddling it is trimmed.
  void AdvanceTo(SeqNum una);
  void Clear() {
    records_.clear();
    head_ = 0;
  }
  // The peer reneged (the scoreboard was cleared): nothing counts as delivered any more.
  void ForgetDelivered();
  // RFC 6675 §5.1 / Linux tcp_timeout_mark_lost: after a timeout, every record not SACKed is
  // lost and no retransmission of it is taken to be in flight.
  void MarkAllLost(const SackScoreboard& sb);
  // A timeout proved spurious (RFC 4015): nothing is lost after all.
  void UnmarkLost();

  size_t size() const { return records_.size() - head_; }
  bool empty() const { return size() == 0; }
  TxRecord& operator[](size_t i) { return records_[head_ + i]; }
  const TxRecord& operator[](size_t i) const { return records_[head_ + i]; }

  // Bytes not SACKed in records marked lost, retransmitted since or not (TCP_INFO's lost
  // count, like Linux's lost_out).
  uint32_t LostBytes(const SackScoreboard& sb) const;
  // RFC 6675 SetPipe() over the records, in bytes: each unSACKed byte counts once unless it is
  // lost, and once more if a retransmission of it is in flight (Linux's packets_out -
  // sacked_out - lost_out + retrans_out). A record once fully SACKed counts as SACKed even
  // if the scoreboard has forgotten the range since (it holds 32 ranges; the log remembers
  // like Linux's per-segment SACKED tag).
  uint64_t Pipe(const SackScoreboard& sb) const;
  // Bytes not SACKed in records with a retransmission in flight (TCP_INFO's retrans count,
  // like Linux's retrans_out).
  uint32_t RetransmittedBytes(const SackScoreboard& sb) const;
  // The first lost, not yet retransmitted, not SACKed stretch: NextSeg() rule 1 under RACK.
  // Returns false when there is none.
  // `*by_rack` tells whether RACK (rather than a timeout) marked it.
  bool FirstLost(const SackScoreboard& sb, uint32_t mss, SeqNum* seq, uint32_t* len,
                 bool* by_rack) const;

 private:
  // Splits the record at index i (absolute) so that one starts at `at` (inside it).
  void SplitAt(size_t i, SeqNum at);

  std::vector<TxRecord> records_;  // [head_, end) in use
  uint64_t next_order_ = 1;
  size_t head_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_RACK_TX_LOG_H_
