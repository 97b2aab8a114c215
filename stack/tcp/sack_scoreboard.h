// The sender's SACK scoreboard (RFC 6675 §3, §4): which bytes above SND.UNA the peer has
// selectively acknowledged (RFC 2018), kept as a small sorted array of disjoint, non-adjacent
// ranges. On top of it, RFC 6675 §4 NextSeg() (rules 1, 3 and 4; rule 2, new data, is the
// caller's, which knows the windows and the send buffer). What is lost, and so SetPipe() and
// NextSeg()'s rule 1, comes from RACK's marks in the transmit log instead (RFC 8985 §3,
// rack_tx_log.h), which also remembers SACKed segments beyond the ranges kept here.
//
// Memory is fixed: at most kMaxRanges ranges. When an update would need more, the highest
// range is forgotten; that only makes the sender more conservative (less is taken as
// delivered, less is taken as lost), and the peer reports recent blocks again anyway.
#ifndef TCPAAS_STACK_TCP_SACK_SCOREBOARD_H_
#define TCPAAS_STACK_TCP_SACK_SCOREBOARD_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/types/span.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace tcpaas::tcp {

// RFC 6675 §2 DupThresh (RFC 5681's three duplicate ACKs).
inline constexpr uint32_t kDupThresh = 3;

// [left, right) in sequence space.
struct SeqRange {
  SeqNum left;
  SeqNum right;
  uint32_t size() const { return static_cast<uint32_t>(right - left); }
  constexpr bool operator==(const SeqRange&) const = default;
};

// What one ACK's SACK option did to the scoreboard.
struct SackUpdate {
  uint32_t newly_sacked = 0;    // bytes SACKed by this ACK and by no earlier one
  bool dsack = false;           // the first block was a D-SACK (RFC 2883 §4), not recorded
  uint32_t ignored_blocks = 0;  // blocks outside [SND.UNA, SND.MAX] or malformed
};

// The next segment to send in loss recovery (RFC 6675 §4 NextSeg()).
struct NextSegment {
  enum class Rule : uint8_t {
    kLost = 1,      // rule 1: the first lost hole above HighRxt
    kUnsacked = 3,  // rule 3: the first unSACKed hole above HighRxt, below HighSACK
    kRescue = 4,    // rule 4: the rescue retransmission of the highest unSACKed segment
  };
  SeqNum seq;
  uint32_t len = 0;  // at most one SMSS, never overlapping SACKed bytes
  Rule rule = Rule::kLost;
};

class SackScoreboard {
 public:
  static constexpr size_t kMaxRanges = 32;

  // Records the SACK blocks of one ACK whose cumulative acknowledgment is `ack`, with
  // `snd_una` SND.UNA before it and `snd_max` the highest sequence number sent. Forgets
  // whatever `ack` covers. RFC 2883 §4: the first block is a D-SACK when it lies below the
  // cumulative ACK or inside the second block; it is reported, not recorded. Other blocks
  // below SND.UNA or beyond SND.MAX are ignored (RFC 2018 §8 leaves them to the sender).
  SackUpdate Update(SeqNum ack, SeqNum snd_una, SeqNum snd_max,
                    absl::Span<const wire::SackBlock> blocks);
  // SND.UNA moved to `una`: nothing below it is kept.
  void AdvanceTo(SeqNum una);
  void Clear() {
    count_ = 0;
    sacked_bytes_ = 0;
  }

  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  const SeqRange& range(size_t i) const { return ranges_[i]; }
  uint32_t sacked_bytes() const { return sacked_bytes_; }
  // RFC 6675 HighSACK + 1: the end of the highest SACKed range (only when !empty()).
  SeqNum high_sacked() const { return ranges_[count_ - 1].right; }
  bool IsSacked(SeqNum seq) const;
  // The first SACKed range that ends after `seq` (nullptr when none).
  const SeqRange* RangeAtOrAbove(SeqNum seq) const;

  // RFC 6675 §4 NextSeg() rules 1, 3 and 4 for data outstanding in [una, snd_max).
  // `high_rxt` is the end of the highest retransmission (HighRxt + 1); every unSACKed byte
  // below `loss_edge` counts as lost for rule 1 (`una`: none); `rescue_allowed` when HighACK >
  // RescueRxt (or RescueRxt is undefined). `rule3` enables rule 3 (callers ask for it only once new
  // data, rule 2, is not possible). Rule 4 is skipped when the highest unSACKed segment lies below
  // `high_rxt` (it was just retransmitted).
  std::optional<NextSegment> NextSeg(SeqNum una, SeqNum snd_max, SeqNum high_rxt, SeqNum loss_edge,
                                     uint32_t mss, bool rule3, bool rescue_allowed) const;

 private:
  // Adds [left, right), merging with neighbours; returns the bytes that were new.
  uint32_t Insert(SeqNum left, SeqNum right);
  void Erase(size_t i, size_t n);

  std::array<SeqRange, kMaxRanges> ranges_{};
  size_t count_ = 0;
  uint32_t sacked_bytes_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_SACK_SCOREBOARD_H_
