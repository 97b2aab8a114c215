// What RACK (RFC 8985 §6.1) needs to know about every data segment in flight: when it was
// last (re)transmitted, whether it ever was retransmitted, whether RACK (or a timeout)
// marked it lost, and whether a retransmission of it is in flight. One record per segment
// sent, kept in sequence order from SND.UNA to SND.MAX.
//
// Bounded: at most kMaxRecords records. A segment sent when the log is full is merged into
// the last record, with the later transmission time; that only makes RACK slower to call
// the merged bytes lost (they look newer), never quicker. Retransmissions split records
// when they cover only part of one, within the same bound.
//
// Cost. An ACK in recovery must not cost a walk over the whole flight (a burst would cost
// segments x records). So, as Linux does with lost_out / retrans_out / sacked_out, the
// skb hints and RACK's time-ordered list (tsorted_sent_queue):
//   - byte counters of the records not yet delivered (all, lost, with a retransmission in
//     flight) are kept up to date by every change of a record; the SACKed part of those
//     records is found from the scoreboard's ranges alone (SackedUndelivered()), so Pipe(),
//     LostBytes() and RetransmittedBytes() cost O(ranges x log records);
//   - `first_lost_` is a position below which no record awaits a retransmission; it only
//     moves forward, except when a record below it is marked lost again (FirstLost());
//   - OnAck() looks only at the records this ACK can have delivered: those below the new
//     SND.UNA and those under bytes SACKed since the previous ACK;
//   - DetectLoss() walks the transmissions in their order and stops at the first one sent
//     after RACK's segment (RFC 8985 §6.2 step 5); what it marked lost or saw delivered
//     leaves its queue, and a transmission still in its reordering window costs one check.
// All of this assumes what the connection does: transmissions are logged with a clock that
// never goes back, and OnAck() runs after every change of the scoreboard.
// RecomputeSlowly() gives the figures by the plain walk over every record, for tests.
#ifndef TCPAAS_STACK_TCP_RACK_TX_LOG_H_
#define TCPAAS_STACK_TCP_RACK_TX_LOG_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "stack/base/time.h"
#include "stack/tcp/sack_scoreboard.h"
#include "stack/wire/seq.h"

namespace tcpaas::tcp {

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

  uint32_t size() const { return static_cast<uint32_t>(right - left); }
  // NextSeg() rule 1 under RACK may pick it: lost, not resent since, not delivered.
  bool AwaitsRetransmission() const { return lost && !rexmit_in_flight && !delivered; }
  // RACK may still mark it lost (RFC 8985 §6.2 step 5 skips the others).
  bool Undecided() const { return !delivered && !(lost && !rexmit_in_flight); }
};

// The figures the log keeps, in bytes.
struct TxLogTotals {
  uint64_t pipe = 0;           // see TxLog::Pipe()
  uint32_t lost = 0;           // see TxLog::LostBytes()
  uint32_t retransmitted = 0;  // see TxLog::RetransmittedBytes()
  constexpr bool operator==(const TxLogTotals&) const = default;
};

class TxLog {
 public:
  static constexpr size_t kMaxRecords = 16384;

  // [left, right) was sent at `now`. Above the highest record: a new record. At or below it:
  // a retransmission; the records it covers get `now`, retransmitted and rexmit_in_flight.
  void OnTransmit(SeqNum left, SeqNum right, Instant now);
  // RFC 8985 §6.2 steps 2 and 3 input: an ACK of `ack` whose SACK blocks `sb` holds already.
  // Marks delivered, and passes to `on_delivered` in ascending order of sequence, every
  // record it delivered: below `ack`, or now SACKed in full. Call AdvanceTo(ack) after.
  void OnAck(const SackScoreboard& sb, SeqNum ack,
             absl::FunctionRef<void(const TxRecord&)> on_delivered);
  // SND.UNA moved to `una`: records below it go, one straddling it is trimmed.
  void AdvanceTo(SeqNum una);
  void Clear();
  // The peer reneged (the scoreboard was cleared): nothing counts as delivered any more.
  void ForgetDelivered();
  // RFC 6675 §5.1 / Linux tcp_timeout_mark_lost: after a timeout, every record not SACKed is
  // lost and no retransmission of it is taken to be in flight.
  void MarkAllLost(const SackScoreboard& sb);
  // A timeout proved spurious (RFC 4015): nothing is lost after all.
  void UnmarkLost();
  // RFC 8985 §6.2 step 5 (RACK_detect_loss) for the undecided records sent before RACK's
  // segment (`rack_xmit_ts`, `rack_xmit_order`), oldest first: those sent at or before
  // `lost_if_sent_by` (xmit_ts + RACK.rtt + reo_wnd <= now) are marked lost by RACK
  // (*marked tells whether any was). Returns the latest one left undecided (its reordering
  // window ends last: the timer's), if any.
  std::optional<TxRecord> DetectLoss(Instant rack_xmit_ts, uint64_t rack_xmit_order,
                                     Instant lost_if_sent_by, bool* marked);

  size_t size() const { return records_.size() - head_; }
  bool empty() const { return size() == 0; }
  const TxRecord& operator[](size_t i) const { return records_[head_ + i]; }

  // Bytes not SACKed in records marked lost, retransmitted since or not (TCP_INFO's lost
  // count, like Linux's lost_out).
  uint32_t LostBytes(const SackScoreboard& sb) const { return Totals(sb).lost; }
  // RFC 6675 SetPipe() over the records, in bytes: each unSACKed byte counts once unless it is
  // lost, and once more if a retransmission of it is in flight (Linux's packets_out -
  // sacked_out - lost_out + retrans_out). A record once fully SACKed counts as SACKed even
  // if the scoreboard has forgotten the range since (it holds 32 ranges; the log remembers
  // like Linux's per-segment SACKED tag).
  uint64_t Pipe(const SackScoreboard& sb) const { return Totals(sb).pipe; }
  // Bytes not SACKed in records with a retransmission in flight (TCP_INFO's retrans count,
  // like Linux's retrans_out).
  uint32_t RetransmittedBytes(const SackScoreboard& sb) const { return Totals(sb).retransmitted; }
  TxLogTotals Totals(const SackScoreboard& sb) const;
  // The same figures by a walk over every record (the definitions above), for tests.
  TxLogTotals RecomputeSlowly(const SackScoreboard& sb) const;

  // The first lost, not yet retransmitted, not SACKed stretch: NextSeg() rule 1 under RACK.
  // Returns false when there is none.
  // `*by_rack` tells whether RACK (rather than a timeout) marked it.
  bool FirstLost(const SackScoreboard& sb, uint32_t mss, SeqNum* seq, uint32_t* len,
                 bool* by_rack) const;

 private:
  // One transmission, in DetectLoss()'s queue: the records in [left, right) whose
  // xmit_order is still `order` were last sent then.
  struct Sent {
    SeqNum left;
    SeqNum right;
    Instant xmit_ts;
    uint64_t order;
    bool undecided = true;  // DetectLoss() left a record of it undecided
    // Where its first record was last found (an index plus erased_), a hint.
    size_t first_record = SIZE_MAX;
  };
  // Bytes of records not delivered: all of them, lost ones, ones with a retransmission in
  // flight.
  struct Bytes {
    uint64_t all = 0;
    uint64_t lost = 0;
    uint64_t rexmit = 0;
    void Add(const TxRecord& r, uint32_t bytes);
    void Remove(const TxRecord& r, uint32_t bytes);
  };
  // At most this many records split since the last OnAck() are remembered for it to look
  // at again; more, and it looks at every record once.
  static constexpr size_t kMaxSplits = 8;

  // Applies `change` to the record at index i (absolute), keeping the counters and
  // `first_lost_` right.
  template <typename Change>
  void Update(size_t i, Change change);
  // Marks the record delivered and tells `on_delivered`.
  void Deliver(size_t i, absl::FunctionRef<void(const TxRecord&)> on_delivered);
  // Splits the record at index i (absolute) so that one starts at `at` (inside it).
  void SplitAt(size_t i, SeqNum at);
  // The first record (absolute index) that ends after `seq`, or records_.size().
  size_t FirstEndingAfter(SeqNum seq) const;
  // FirstEndingAfter(s.left), in O(1) while the records did not move since the last time.
  size_t FirstRecordOf(Sent& s) const;
  // The SACKed bytes of records not delivered, weighted as in Bytes.
  Bytes SackedUndelivered(const SackScoreboard& sb) const;
  // Queues a transmission for DetectLoss().
  void PushSent(const Sent& sent);
  // DetectLoss()'s queue again from the records (after a change that revives records).
  void RebuildSentQueue();

  std::vector<TxRecord> records_;  // [head_, end) in use
  uint64_t next_order_ = 1;
  size_t head_ = 0;
  size_t erased_ = 0;  // records erased from the front of records_ so far
  Bytes undelivered_;  // over every record not delivered
  // No record in [head_, first_lost_) AwaitsRetransmission(). Mutable: FirstLost() moves it
  // forward as it looks.
  mutable size_t first_lost_ = 0;
  // Transmissions in order, oldest first ([sent_head_, end) in use). DetectLoss() drops the
  // entries whose records were all resent, delivered or marked lost since.
  std::vector<Sent> sent_;
  size_t sent_head_ = 0;
  // The scoreboard's ranges when OnAck() last ran: every record they cover in full has been
  // delivered.
  std::array<SeqRange, SackScoreboard::kMaxRanges> sacked_seen_{};
  size_t sacked_seen_count_ = 0;
  // Records not delivered that were split since OnAck() last ran (their [left, right)
  // before the split): a part may be SACKed in full although the whole was not.
  std::array<SeqRange, kMaxSplits> splits_{};
  size_t split_count_ = 0;
  bool splits_overflowed_ = false;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_RACK_TX_LOG_H_
