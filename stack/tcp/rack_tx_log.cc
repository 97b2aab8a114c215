#include "stack/tcp/rack_tx_log.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"

namespace tcpaas::tcp {
namespace {

// [from, to) (from < to) is SACKed in full. The scoreboard's ranges are disjoint and never
// adjacent, so that means: inside one range.
bool FullySacked(const SackScoreboard& sb, SeqNum from, SeqNum to) {
  const SeqRange* s = sb.RangeAtOrAbove(from);
  return s != nullptr && s->left <= from && to <= s->right;
}

// RFC 8985 §6.2 RACK_sent_after(t1, seq1, t2, seq2) with ties broken by transmission order
// (as Rack::SentAfter, which this layer below rack.h cannot include).
bool SentAfter(Instant t1, uint64_t order1, Instant t2, uint64_t order2) {
  return t1 > t2 || (t1 == t2 && order1 > order2);
}

}  // namespace

uint32_t SackCursor::Unsacked(SeqNum left, SeqNum right) {
  while (next_ < sb_.size() && sb_.range(next_).right <= left) ++next_;
  uint32_t sacked = 0;
  for (size_t k = next_; k < sb_.size() && sb_.range(k).left < right; ++k) {
    const SeqRange& s = sb_.range(k);
    sacked += static_cast<uint32_t>(SeqMin(s.right, right) - SeqMax(s.left, left));
  }
  return static_cast<uint32_t>(right - left) - sacked;
}

// --- Keeping the counters -------------------------------------------------------------------

void TxLog::Bytes::Add(const TxRecord& r, uint32_t bytes) {
  if (r.delivered) return;
  all += bytes;
  if (r.lost) lost += bytes;
  if (r.rexmit_in_flight) rexmit += bytes;
}

void TxLog::Bytes::Remove(const TxRecord& r, uint32_t bytes) {
  if (r.delivered) return;
  all -= bytes;
  if (r.lost) lost -= bytes;
  if (r.rexmit_in_flight) rexmit -= bytes;
}

template <typename Change>
void TxLog::Update(size_t i, Change change) {
  TxRecord& r = records_[i];
  undelivered_.Remove(r, r.size());
  change(r);
  undelivered_.Add(r, r.size());
  if (i < first_lost_ && r.AwaitsRetransmission()) first_lost_ = i;
}

size_t TxLog::FirstEndingAfter(SeqNum seq) const {
  const auto it =
      std::partition_point(records_.begin() + static_cast<std::ptrdiff_t>(head_), records_.end(),
                           [seq](const TxRecord& r) { return r.right <= seq; });
  return static_cast<size_t>(it - records_.begin());
}

// --- Transmissions and ACKs -----------------------------------------------------------------

void TxLog::OnTransmit(SeqNum left, SeqNum right, Instant now) {
  if (!(left < right)) return;
  const uint64_t order = next_order_++;
  const SeqNum high = empty() ? left : records_.back().right;
  Sent sent{.left = left, .right = right, .xmit_ts = now, .order = order};
  if (empty() || left >= high) {
    if (size() >= kMaxRecords) {
      // Full: the new bytes join the last record, which takes the later time (see the header).
      Update(records_.size() - 1, [&](TxRecord& last) {
        last.right = SeqMax(last.right, right);
        last.xmit_ts = now;
        last.xmit_order = order;
        last.delivered = false;
      });
      sent.left = records_.back().left;
    } else {
      records_.push_back(
          TxRecord{.left = left, .right = right, .xmit_ts = now, .xmit_order = order});
      undelivered_.Add(records_.back(), records_.back().size());
    }
    PushSent(sent);
    return;
  }
  // A retransmission of [left, right) (possibly also extending beyond the highest record).
  for (size_t i = FirstEndingAfter(left); i < records_.size(); ++i) {
    if (records_[i].left >= right) break;
    if (records_[i].left < left && size() < kMaxRecords) {
      SplitAt(i, left);
      continue;  // the next iteration sees the part from `left`
    }
    if (right < records_[i].right && size() < kMaxRecords) SplitAt(i, right);
    Update(i, [&](TxRecord& r) {
      r.xmit_ts = now;
      r.xmit_order = order;
      r.retransmitted = true;
      r.rexmit_in_flight = true;
    });
    // A full log updates whole records: the queue entry covers all of them.
    sent.left = SeqMin(sent.left, records_[i].left);
    sent.right = SeqMax(sent.right, records_[i].right);
  }
  if (right > records_.back().right) {
    records_.push_back(TxRecord{
        .left = records_.back().right, .right = right, .xmit_ts = now, .xmit_order = order});
    undelivered_.Add(records_.back(), records_.back().size());
  }
  PushSent(sent);
}

void TxLog::PushSent(const Sent& sent) {
  sent_.push_back(sent);
  // Bound the queue: entries stuck behind an undecided one are rebuilt from the records.
  if (sent_.size() - sent_head_ > 2 * kMaxRecords) RebuildSentQueue();
}

void TxLog::SplitAt(size_t i, SeqNum at) {
  TxRecord upper = records_[i];
  if (!upper.delivered) {
    // A part of a record not delivered may be SACKed in full (OnAck() looks again).
    if (split_count_ < kMaxSplits) {
      splits_[split_count_++] = SeqRange{upper.left, upper.right};
    } else {
      splits_overflowed_ = true;
    }
  }
  upper.left = at;
  records_[i].right = at;
  records_.insert(records_.begin() + static_cast<std::ptrdiff_t>(i) + 1, upper);
  if (first_lost_ > i) ++first_lost_;  // both parts are like the whole (counters unchanged)
}

void TxLog::Deliver(size_t i, absl::FunctionRef<void(const TxRecord&)> on_delivered) {
  Update(i, [](TxRecord& r) { r.delivered = true; });
  on_delivered(records_[i]);
}

void TxLog::OnAck(const SackScoreboard& sb, SeqNum ack,
                  absl::FunctionRef<void(const TxRecord&)> on_delivered) {
  // RFC 8985 §6.2 step 2: "for each segment newly acknowledged, cumulatively or selectively".
  auto newly_delivered = [&](const TxRecord& r) {
    return !r.delivered && (r.right <= ack || FullySacked(sb, SeqMax(r.left, ack), r.right));
  };
  if (splits_overflowed_) {
    // Too much changed since the last ACK to keep track of: look at every record.
    const SeqNum sacked_end = sb.empty() ? ack : SeqMax(ack, sb.high_sacked());
    for (size_t i = head_; i < records_.size() && records_[i].left < sacked_end; ++i) {
      if (newly_delivered(records_[i])) Deliver(i, on_delivered);
    }
  } else {
    // Only these stretches can hold a record the ACK delivered: what the cumulative ACK
    // covers, what was SACKed since the last ACK (a record SACKed in full before was
    // delivered then), and records split since (a part may be SACKed in full).
    absl::InlinedVector<SeqRange, 16> stretches;
    if (!empty() && records_[head_].left < ack) stretches.push_back({records_[head_].left, ack});
    size_t j = 0;
    for (size_t k = 0; k < sb.size(); ++k) {
      const SeqRange c = sb.range(k);
      SeqNum from = c.left;
      while (j < sacked_seen_count_ && sacked_seen_[j].right <= from) ++j;
      for (size_t m = j; from < c.right; ++m) {
        if (m == sacked_seen_count_ || sacked_seen_[m].left >= c.right) {
          stretches.push_back({from, c.right});
          break;
        }
        if (from < sacked_seen_[m].left) stretches.push_back({from, sacked_seen_[m].left});
        from = SeqMax(from, sacked_seen_[m].right);
      }
    }
    stretches.insert(stretches.end(), splits_.begin(), splits_.begin() + split_count_);
    std::sort(stretches.begin(), stretches.end(),
              [](const SeqRange& a, const SeqRange& b) { return a.left < b.left; });
    // In ascending order of sequence, each record once (as RFC 8985 §6.2 step 3 needs).
    size_t next = head_;
    for (const SeqRange& s : stretches) {
      size_t i = std::max(next, FirstEndingAfter(s.left));
      for (; i < records_.size() && records_[i].left < s.right; ++i) {
        if (newly_delivered(records_[i])) Deliver(i, on_delivered);
      }
      next = std::max(next, i);
    }
  }
  split_count_ = 0;
  splits_overflowed_ = false;
  sacked_seen_count_ = sb.size();
  for (size_t k = 0; k < sb.size(); ++k) sacked_seen_[k] = sb.range(k);
}

void TxLog::AdvanceTo(SeqNum una) {
  while (head_ < records_.size() && records_[head_].right <= una) {
    undelivered_.Remove(records_[head_], records_[head_].size());
    ++head_;
  }
  if (head_ < records_.size() && records_[head_].left < una) {
    Update(head_, [una](TxRecord& r) { r.left = una; });
  }
  while (sent_head_ < sent_.size() && sent_[sent_head_].right <= una) ++sent_head_;
  if (head_ == records_.size()) {
    Clear();
    // Nothing in flight: a large flight's storage goes back (an idle connection stays small).
    if (records_.capacity() > 256) std::vector<TxRecord>().swap(records_);
    if (sent_.capacity() > 256) std::vector<Sent>().swap(sent_);
    return;
  }
  // Compact now and then so the vectors do not grow with the connection's age.
  if (head_ >= 64 && head_ * 2 >= records_.size()) {
    records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(head_));
    erased_ += head_;
    first_lost_ = std::max(first_lost_, head_) - head_;
    head_ = 0;
  }
  if (sent_head_ >= 64 && sent_head_ * 2 >= sent_.size()) {
    sent_.erase(sent_.begin(), sent_.begin() + static_cast<std::ptrdiff_t>(sent_head_));
    sent_head_ = 0;
  }
}

void TxLog::Clear() {
  records_.clear();
  head_ = 0;
  undelivered_ = Bytes{};
  first_lost_ = 0;
  sent_.clear();
  sent_head_ = 0;
  sacked_seen_count_ = 0;
  split_count_ = 0;
  splits_overflowed_ = false;
}

void TxLog::ForgetDelivered() {
  for (size_t i = head_; i < records_.size(); ++i) {
    Update(i, [](TxRecord& r) { r.delivered = false; });
  }
  sacked_seen_count_ = 0;  // nothing SACKed has been taken into account any more
  RebuildSentQueue();      // records RACK had done with are undecided again
}

void TxLog::MarkAllLost(const SackScoreboard& sb) {
  SackCursor cursor(sb);
  for (size_t i = head_; i < records_.size(); ++i) {
    const TxRecord& r = records_[i];
    if (r.delivered || cursor.Unsacked(r.left, r.right) == 0) continue;
    Update(i, [](TxRecord& q) {
      q.lost = true;
      q.rexmit_in_flight = false;
      q.marked_by_rack = false;
    });
  }
}

void TxLog::UnmarkLost() {
  for (size_t i = head_; i < records_.size(); ++i) {
    Update(i, [](TxRecord& r) {
      r.lost = false;
      r.marked_by_rack = false;
    });
  }
  RebuildSentQueue();  // records marked lost are undecided again
}

// --- RACK's loss detection ------------------------------------------------------------------

std::optional<TxRecord> TxLog::DetectLoss(Instant rack_xmit_ts, uint64_t rack_xmit_order,
                                          Instant lost_if_sent_by, bool* marked) {
  *marked = false;
  std::optional<size_t> latest_undecided;
  size_t e = sent_head_;
  for (; e < sent_.size(); ++e) {
    Sent& s = sent_[e];
    // RFC 8985 §6.2 step 5: only segments sent before RACK's can be judged, and the queue is
    // in order of transmission: none after this one can be either.
    if (!SentAfter(rack_xmit_ts, rack_xmit_order, s.xmit_ts, s.order)) break;
    // Its reordering window has passed when xmit_ts + RACK.rtt + reo_wnd <= now.
    const bool expired = s.xmit_ts <= lost_if_sent_by;
    s.undecided = false;
    for (size_t i = FirstRecordOf(s); i < records_.size() && records_[i].left < s.right; ++i) {
      const TxRecord& r = records_[i];
      if (r.xmit_order != s.order || !r.Undecided()) continue;  // resent later, or done with
      if (!expired) {
        // Its records all share its time: one undecided record is enough to know.
        s.undecided = true;
        latest_undecided = i;
        break;
      }
      Update(i, [](TxRecord& q) {
        q.lost = true;
        q.rexmit_in_flight = false;
        q.marked_by_rack = true;
      });
      *marked = true;
    }
  }
  // The entries walked that hold nothing undecided go; the others keep their order and move
  // up to where the walk stopped, so the next walk sees only what it must judge again.
  size_t kept = e;
  for (size_t k = e; k-- > sent_head_;) {
    if (sent_[k].undecided) sent_[--kept] = sent_[k];
  }
  sent_head_ = kept;
  if (!latest_undecided.has_value()) return std::nullopt;
  return records_[*latest_undecided];
}

size_t TxLog::FirstRecordOf(Sent& s) const {
  // The position remembered is right unless records were split or compacted since.
  const size_t i = s.first_record >= erased_ ? s.first_record - erased_ : records_.size();
  if (i >= head_ && i < records_.size() && records_[i].right > s.left &&
      (i == head_ || records_[i - 1].right <= s.left)) {
    return i;
  }
  const size_t found = FirstEndingAfter(s.left);
  s.first_record = found + erased_;
  return found;
}

void TxLog::RebuildSentQueue() {
  sent_.clear();
  sent_head_ = 0;
  for (size_t i = head_; i < records_.size(); ++i) {
    const TxRecord& r = records_[i];
    sent_.push_back(
        Sent{.left = r.left, .right = r.right, .xmit_ts = r.xmit_ts, .order = r.xmit_order});
  }
  std::stable_sort(sent_.begin(), sent_.end(), [](const Sent& a, const Sent& b) {
    return SentAfter(b.xmit_ts, b.order, a.xmit_ts, a.order);
  });
}

// --- Pipe, lost and retransmitted bytes -----------------------------------------------------

TxLog::Bytes TxLog::SackedUndelivered(const SackScoreboard& sb) const {
  // Every record a range covers in full has been delivered (OnAck() saw to it), so only the
  // first and the last record under each range can hold SACKed bytes not delivered.
  Bytes sacked;
  auto add = [&](const TxRecord& r, const SeqRange& s) {
    sacked.Add(r, static_cast<uint32_t>(SeqMin(r.right, s.right) - SeqMax(r.left, s.left)));
  };
  for (size_t k = 0; k < sb.size(); ++k) {
    const SeqRange& s = sb.range(k);
    const size_t first = FirstEndingAfter(s.left);
    if (first == records_.size() || records_[first].left >= s.right) continue;
    add(records_[first], s);
    const auto end =
        std::partition_point(records_.begin() + static_cast<std::ptrdiff_t>(first), records_.end(),
                             [&s](const TxRecord& r) { return r.left < s.right; });
    const size_t last = static_cast<size_t>(end - records_.begin()) - 1;
    if (last > first) add(records_[last], s);
  }
  return sacked;
}

TxLogTotals TxLog::Totals(const SackScoreboard& sb) const {
  // The shortcut holds while nothing was SACKed and no record split since OnAck() last ran;
  // otherwise (never between the connection's ACKs) the plain walk.
  bool seen = split_count_ == 0 && !splits_overflowed_;
  for (size_t k = 0, j = 0; seen && k < sb.size(); ++k) {
    while (j < sacked_seen_count_ && sacked_seen_[j].right < sb.range(k).right) ++j;
    seen = j < sacked_seen_count_ && sacked_seen_[j].left <= sb.range(k).left;
  }
  if (!seen) return RecomputeSlowly(sb);
  const Bytes sacked = SackedUndelivered(sb);
  const uint64_t lost = undelivered_.lost - sacked.lost;
  const uint64_t rexmit = undelivered_.rexmit - sacked.rexmit;
  return TxLogTotals{.pipe = (undelivered_.all - sacked.all) - lost + rexmit,
                     .lost = static_cast<uint32_t>(lost),
                     .retransmitted = static_cast<uint32_t>(rexmit)};
}

TxLogTotals TxLog::RecomputeSlowly(const SackScoreboard& sb) const {
  SackCursor cursor(sb);
  TxLogTotals t;
  for (size_t i = head_; i < records_.size(); ++i) {
    const TxRecord& r = records_[i];
    if (r.delivered) continue;
    const uint32_t unsacked = cursor.Unsacked(r.left, r.right);
    const int copies = (r.lost ? 0 : 1) + (r.rexmit_in_flight ? 1 : 0);
    t.pipe += uint64_t{unsacked} * copies;
    if (r.lost) t.lost += unsacked;
    if (r.rexmit_in_flight) t.retransmitted += unsacked;
  }
  return t;
}

// --- NextSeg() rule 1 -----------------------------------------------------------------------

bool TxLog::FirstLost(const SackScoreboard& sb, uint32_t mss, SeqNum* seq, uint32_t* len,
                      bool* by_rack) const {
  mss = std::max<uint32_t>(mss, 1);
  // Below first_lost_ nothing awaits a retransmission; move it over what does not either
  // (amortised O(1) per segment sent: a retransmission takes its record out of the way).
  size_t i = std::max(first_lost_, head_);
  while (i < records_.size() && !records_[i].AwaitsRetransmission()) ++i;
  first_lost_ = i;
  for (; i < records_.size(); ++i) {
    const TxRecord& r = records_[i];
    if (!r.AwaitsRetransmission()) continue;
    // The first unSACKed byte of the record.
    SeqNum from = r.left;
    for (const SeqRange* s = sb.RangeAtOrAbove(from); s != nullptr && s->left <= from;
         s = sb.RangeAtOrAbove(from)) {
      from = s->right;
    }
    if (!(from < r.right)) continue;
    *seq = from;
    *by_rack = r.marked_by_rack;
    // Up to one segment from there: on through following records that are lost too (small
    // segments go out again as one, as RFC 6675's NextSeg() takes a hole), never into SACKed
    // bytes.
    const SeqRange* next_sacked = sb.RangeAtOrAbove(from);
    SeqNum end = from;
    for (size_t j = i; j < records_.size(); ++j) {
      const TxRecord& q = records_[j];
      if (j > i && (q.left != end || !q.AwaitsRetransmission())) break;
      end = q.right;
      if (next_sacked != nullptr && next_sacked->left < end) {
        end = SeqMax(next_sacked->left, from);
        break;
      }
      if (static_cast<uint32_t>(end - from) >= mss) break;
    }
    *len = std::min(mss, static_cast<uint32_t>(end - from));
    return *len > 0;
  }
  return false;
}

}  // namespace tcpaas::tcp
