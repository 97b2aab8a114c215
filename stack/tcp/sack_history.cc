#include "stack/tcp/sack_history.h"

namespace tcpaas::tcp {
namespace {

bool Overlaps(wire::SackBlock a, wire::SackBlock b) { return a.left < b.right && b.left < a.right; }

}  // namespace

void SackHistory::OnOutOfOrderSegment(SeqNum left, SeqNum right) {
  const wire::SackBlock newest{left, right};
  // Drop entries the new segment overlaps (they are reported through it now), then shift
  // the rest back by one, losing the oldest when full.
  size_t kept = 0;
  std::array<wire::SackBlock, kDepth> older{};
  for (size_t i = 0; i < count_; ++i) {
    if (!Overlaps(recent_[i], newest)) older[kept++] = recent_[i];
  }
  recent_[0] = newest;
  count_ = 1;
  for (size_t i = 0; i < kept && count_ < kDepth; ++i) recent_[count_++] = older[i];
}

void SackHistory::Fill(SeqNum rcv_nxt, absl::Span<const ByteRange> ranges, size_t max_blocks,
                       std::optional<wire::SackBlock> dsack, wire::TcpOptions* options) const {
  options->sack_count = 0;
  if (max_blocks > wire::kTcpMaxSackBlocks) max_blocks = wire::kTcpMaxSackBlocks;
  std::array<bool, Assembler::kMaxRanges> used{};
  auto range_block = [&](size_t r) -> wire::SackBlock {
    return {rcv_nxt + static_cast<uint32_t>(ranges[r].start),
            rcv_nxt + static_cast<uint32_t>(ranges[r].end)};
  };
  auto emit = [&](size_t r) {
    if (used[r] || options->sack_count >= max_blocks) return;
    used[r] = true;
    options->AddSackBlock(range_block(r));
  };
  // RFC 2883 §4 (1) and (2): the D-SACK block comes first; the block of out-of-order data
  // that holds it, if any, second.
  if (dsack.has_value() && max_blocks > 0) {
    options->AddSackBlock(*dsack);
    for (size_t r = 0; r < ranges.size() && r < used.size(); ++r) {
      if (Overlaps(range_block(r), *dsack)) emit(r);
    }
  }
  for (size_t i = 0; i < count_; ++i) {
    const wire::SackBlock b = recent_[i];
    for (size_t r = 0; r < ranges.size() && r < used.size(); ++r) {
      if (Overlaps(range_block(r), b)) emit(r);
    }
  }
  for (size_t r = 0; r < ranges.size() && r < used.size(); ++r) emit(r);
}

}  // namespace tcpaas::tcp
