#include "stack/tcp/rack_tx_log.h"

#include <algorithm>

#include "stack/tcp/sack_scoreboard.h"

namespace tcpaas::tcp {

uint32_t SackCursor::Unsacked(SeqNum left, SeqNum right) {
  while (next_ < sb_.size() && sb_.range(next_).right <= left) ++next_;
  uint32_t sacked = 0;
  for (size_t k = next_; k < sb_.size() && sb_.range(k).left < right; ++k) {
    const SeqRange& s = sb_.range(k);
    sacked += static_cast<uint32_t>(SeqMin(s.right, right) - SeqMax(s.left, left));
  }
  return static_cast<uint32_t>(right - left) - sacked;
}

void TxLog::OnTransmit(SeqNum left, SeqNum right, Instant now) {
  if (!(left < right)) return;
  const uint64_t order = next_order_++;
  const SeqNum high = empty() ? left : records_.back().right;
  if (empty() || left >= high) {
    if (size() >= kMaxRecords) {
      // Full: the new bytes join the last record, which takes the later time (see the header).
      TxRecord& last = records_.back();
      last.right = SeqMax(last.right, right);
      last.xmit_ts = now;
      last.xmit_order = order;
      last.delivered = false;
      return;
    }
    records_.push_back(TxRecord{.left = left, .right = right, .xmit_ts = now, .xmit_order = order});
    return;
  }
  // A retransmission of [left, right) (possibly also extending beyond the highest record).
  for (size_t i = head_; i < records_.size(); ++i) {
    if (records_[i].right <= left) continue;
    if (records_[i].left >= right) break;
    if (records_[i].left < left && size() < kMaxRecords) {
      SplitAt(i, left);
      continue;  // the next iteration sees the part from `left`
    }
    if (right < records_[i].right && size() < kMaxRecords) SplitAt(i, right);
    TxRecord& r = records_[i];
    r.xmit_ts = now;
    r.xmit_order = order;
    r.retransmitted = true;
    r.rexmit_in_flight = true;
  }
  if (right > records_.back().right) {
    records_.push_back(TxRecord{
        .left = records_.back().right, .right = right, .xmit_ts = now, .xmit_order = order});
  }
}

void TxLog::SplitAt(size_t i, SeqNum at) {
  TxRecord upper = records_[i];
  upper.left = at;
  records_[i].right = at;
  records_.insert(records_.begin() + static_cast<std::ptrdiff_t>(i) + 1, upper);
}

void TxLog::AdvanceTo(SeqNum una) {
  while (head_ < records_.size() && records_[head_].right <= una) ++head_;
  if (head_ < records_.size() && records_[head_].left < una) records_[head_].left = una;
  if (head_ == records_.size()) {
    Clear();
    // Nothing in flight: a large flight's storage goes back (an idle connection stays small).
    if (records_.capacity() > 256) std::vector<TxRecord>().swap(records_);
  } else if (head_ >= 64 && head_ * 2 >= records_.size()) {
    // Compact now and then so the vector does not grow with the connection's age.
    records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void TxLog::ForgetDelivered() {
  for (size_t i = head_; i < records_.size(); ++i) records_[i].delivered = false;
}

void TxLog::MarkAllLost(const SackScoreboard& sb) {
  SackCursor cursor(sb);
  for (size_t i = head_; i < records_.size(); ++i) {
    TxRecord& r = records_[i];
    if (r.delivered || cursor.Unsacked(r.left, r.right) == 0) continue;
    r.lost = true;
    r.rexmit_in_flight = false;
    r.marked_by_rack = false;
  }
}

void TxLog::UnmarkLost() {
  for (size_t i = head_; i < records_.size(); ++i) {
    records_[i].lost = false;
    records_[i].marked_by_rack = false;
  }
}

uint64_t TxLog::Pipe(const SackScoreboard& sb) const {
  SackCursor cursor(sb);
  uint64_t pipe = 0;
  for (size_t i = head_; i < records_.size(); ++i) {
    const TxRecord& r = records_[i];
    if (r.delivered) continue;
    const int copies = (r.lost ? 0 : 1) + (r.rexmit_in_flight ? 1 : 0);
    if (copies > 0) pipe += uint64_t{cursor.Unsacked(r.left, r.right)} * copies;
  }
  return pipe;
}

uint32_t TxLog::LostBytes(const SackScoreboard& sb) const {
  SackCursor cursor(sb);
  uint32_t bytes = 0;
  for (size_t i = head_; i < records_.size(); ++i) {
    const TxRecord& r = records_[i];
    if (r.lost && !r.delivered) bytes += cursor.Unsacked(r.left, r.right);
  }
  return bytes;
}

uint32_t TxLog::RetransmittedBytes(const SackScoreboard& sb) const {
  SackCursor cursor(sb);
  uint32_t bytes = 0;
  for (size_t i = head_; i < records_.size(); ++i) {
    const TxRecord& r = records_[i];
    if (r.rexmit_in_flight && !r.delivered) bytes += cursor.Unsacked(r.left, r.right);
  }
  return bytes;
}

bool TxLog::FirstLost(const SackScoreboard& sb, uint32_t mss, SeqNum* seq, uint32_t* len,
                      bool* by_rack) const {
  mss = std::max<uint32_t>(mss, 1);
  for (size_t i = head_; i < records_.size(); ++i) {
    const TxRecord& r = records_[i];
    if (!r.lost || r.rexmit_in_flight || r.delivered) continue;
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
      if (j > i && (q.left != end || !q.lost || q.rexmit_in_flight || q.delivered)) break;
      end = q.right;
      if (next_sacked != nullptr && next_sacked->left < end) {
        end = SeqMax(next_sacked->left, from);
        break;
      }
      if (end - from >= mss) break;
    }
    *len = std::min(mss, static_cast<uint32_t>(end - from));
    return *len > 0;
  }
  return false;
}

}  // namespace tcpaas::tcp
