// Which SACK blocks our ACKs report, and in which order (RFC 2018 §4): the first block is
// the one holding the most recently received segment, the others repeat the most recently
// reported blocks. The history keeps a few recent segments; the blocks themselves are always
// the current out-of-order ranges of the receive buffer that contain them, so merged ranges
// are reported once and data that became in-order is never reported.
#ifndef TCPAAS_STACK_TCP_SACK_HISTORY_H_
#define TCPAAS_STACK_TCP_SACK_HISTORY_H_

#include <array>
#include <cstddef>
#include <optional>

#include "absl/types/span.h"
#include "stack/tcp/assembler.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace tcpaas::tcp {

class SackHistory {
 public:
  // An out-of-order segment covering [left, right) was stored.
  void OnOutOfOrderSegment(SeqNum left, SeqNum right);
  void Clear() { count_ = 0; }

  // Writes up to `max_blocks` blocks into `options`: a D-SACK block first when `dsack` is
  // set, followed by the out-of-order range holding it if there is one (RFC 2883 §4);
  // then the current out-of-order ranges (`ranges`, offsets from `rcv_nxt`) in the order of
  // the history, then any other range.
  void Fill(SeqNum rcv_nxt, absl::Span<const ByteRange> ranges, size_t max_blocks,
            std::optional<wire::SackBlock> dsack, wire::TcpOptions* options) const;

 private:
  static constexpr size_t kDepth = wire::kTcpMaxSackBlocks;
  std::array<wire::SackBlock, kDepth> recent_{};  // most recent first
  size_t count_ = 0;
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_SACK_HISTORY_H_
