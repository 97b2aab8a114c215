#include "stack/tcp/sack_scoreboard.h"

#include <algorithm>

namespace tcpaas::tcp {
namespace {

// The first unSACKed hole at or after `from`, below `end`: [left, right).
std::optional<SeqRange> HoleFrom(absl::Span<const SeqRange> ranges, SeqNum from, SeqNum end) {
  SeqNum cur = from;
  for (const SeqRange& r : ranges) {
    if (r.right <= cur) continue;
    if (r.left <= cur) {
      cur = r.right;
      continue;
    }
    const SeqNum right = SeqMin(r.left, end);
    if (cur < right) return SeqRange{cur, right};
    return std::nullopt;
  }
  if (cur < end) return SeqRange{cur, end};
  return std::nullopt;
}

uint32_t Bytes(SeqNum from, SeqNum to) { return to > from ? static_cast<uint32_t>(to - from) : 0; }

}  // namespace

SackUpdate SackScoreboard::Update(SeqNum ack, SeqNum snd_una, SeqNum snd_max,
                                  absl::Span<const wire::SackBlock> blocks) {
  SackUpdate u;
  const SeqNum una = SeqMax(ack, snd_una);
  AdvanceTo(una);
  for (size_t k = 0; k < blocks.size(); ++k) {
    const wire::SackBlock& b = blocks[k];
    if (!(b.left < b.right) || b.right > snd_max) {
      ++u.ignored_blocks;  // malformed, or SACKs what we never sent
      continue;
    }
    if (k == 0) {
      // RFC 2883 §4: a first block below the cumulative ACK, or contained in the second
      // block, reports a duplicate segment.
      const bool below_ack = b.left < ack;
      const bool inside_second =
          blocks.size() > 1 && blocks[1].left <= b.left && b.right <= blocks[1].right;
      if (below_ack || inside_second) {
        u.dsack = true;
        continue;
      }
    }
    if (b.right <= una) {
      ++u.ignored_blocks;  // all of it is acknowledged already
      continue;
    }
    u.newly_sacked += Insert(SeqMax(b.left, una), b.right);
  }
  return u;
}

void SackScoreboard::AdvanceTo(SeqNum una) {
  size_t gone = 0;
  while (gone < count_ && ranges_[gone].right <= una) {
    sacked_bytes_ -= ranges_[gone].size();
    ++gone;
  }
  Erase(0, gone);
  if (count_ > 0 && ranges_[0].left < una) {
    sacked_bytes_ -= static_cast<uint32_t>(una - ranges_[0].left);
    ranges_[0].left = una;
  }
}

uint32_t SackScoreboard::Insert(SeqNum left, SeqNum right) {
  // The first range that ends at or after `left` may touch the new one.
  size_t i = 0;
  while (i < count_ && ranges_[i].right < left) ++i;
  size_t j = i;
  SeqNum merged_left = left;
  SeqNum merged_right = right;
  uint32_t covered = 0;  // bytes of [left, right) SACKed before
  while (j < count_ && ranges_[j].left <= right) {
    covered += Bytes(SeqMax(ranges_[j].left, left), SeqMin(ranges_[j].right, right));
    merged_left = SeqMin(merged_left, ranges_[j].left);
    merged_right = SeqMax(merged_right, ranges_[j].right);
    ++j;
  }
  const uint32_t added = static_cast<uint32_t>(right - left) - covered;
  if (j > i) {
    sacked_bytes_ += added;
    ranges_[i] = SeqRange{merged_left, merged_right};
    Erase(i + 1, j - i - 1);
    return added;
  }
  if (count_ == kMaxRanges) {
    if (i == count_) return 0;  // it would be the highest range: the one forgotten
    sacked_bytes_ -= ranges_[count_ - 1].size();
    --count_;
  }
  for (size_t k = count_; k > i; --k) ranges_[k] = ranges_[k - 1];
  ranges_[i] = SeqRange{left, right};
  ++count_;
  sacked_bytes_ += added;
  return added;
}

void SackScoreboard::Erase(size_t i, size_t n) {
  if (n == 0) return;
  for (size_t k = i; k + n < count_; ++k) ranges_[k] = ranges_[k + n];
  count_ -= n;
}

bool SackScoreboard::IsSacked(SeqNum seq) const {
  const SeqRange* r = RangeAtOrAbove(seq);
  return r != nullptr && r->left <= seq;
}

const SeqRange* SackScoreboard::RangeAtOrAbove(SeqNum seq) const {
  for (size_t i = 0; i < count_; ++i) {
    if (ranges_[i].right > seq) return &ranges_[i];
  }
  return nullptr;
}

std::optional<NextSegment> SackScoreboard::NextSeg(SeqNum una, SeqNum snd_max, SeqNum high_rxt,
                                                   SeqNum loss_edge, uint32_t mss, bool rule3,
                                                   bool rescue_allowed) const {
  mss = std::max<uint32_t>(mss, 1);
  const absl::Span<const SeqRange> ranges(ranges_.data(), count_);
  const SeqNum start = SeqMax(una, high_rxt);  // (1.a) above HighRxt
  // Rule 1: the first lost unSACKed byte above HighRxt, lost meaning below `loss_edge`.
  if (std::optional<SeqRange> hole = HoleFrom(ranges, start, SeqMin(loss_edge, snd_max))) {
    return NextSegment{hole->left, std::min(mss, hole->size()), NextSegment::Rule::kLost};
  }
  // Rule 3: any unSACKed byte above HighRxt and below HighSACK.
  if (rule3 && !empty()) {
    if (std::optional<SeqRange> hole = HoleFrom(ranges, start, SeqMin(high_sacked(), snd_max))) {
      return NextSegment{hole->left, std::min(mss, hole->size()), NextSegment::Rule::kUnsacked};
    }
  }
  // Rule 4: one rescue retransmission per recovery, holding the highest unSACKed byte.
  if (rescue_allowed) {
    SeqRange top{una, snd_max};  // the highest hole
    if (!empty() && high_sacked() >= snd_max) {
      top.right = ranges_[count_ - 1].left;
      top.left = count_ > 1 ? ranges_[count_ - 2].right : una;
    } else if (!empty()) {
      top.left = high_sacked();
    }
    top.left = SeqMax(top.left, una);
    // Not when that segment was just retransmitted by rule 1 or 3: the rescue is for a tail
    // nothing resent yet (the RFC leaves this open; resending it twice in a row helps no one).
    if (top.left < top.right && top.right > high_rxt) {
      const uint32_t len = std::min(mss, top.size());
      return NextSegment{top.right - len, len, NextSegment::Rule::kRescue};
    }
  }
  return std::nullopt;
}

}  // namespace tcpaas::tcp
