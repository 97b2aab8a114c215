// The transmit log's shortcuts (counters, the first-lost position, the ACK's stretches, the
// transmission queue) against the plain walks over every record they replace: randomized,
// seeded sequences of transmissions, retransmissions, ACKs with SACK blocks, RACK's loss
// detection, timeouts, undo and reneging, with every figure compared after every step.
#include "stack/tcp/rack_tx_log.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "stack/tcp/rack.h"
#include "stack/tcp/sack_scoreboard.h"

namespace tcpaas::tcp {
namespace {

const Instant kT0 = Instant::Zero() + Duration::Seconds(100);
// Sequence numbers start near the 2^32 wrap so every case also checks modular arithmetic.
const SeqNum kIss(0xFFFF0000u);

// NextSeg() rule 1 by the plain walk (the definition TxLog::FirstLost() must match).
struct Lost {
  SeqNum seq;
  uint32_t len = 0;
  bool by_rack = false;
  bool operator==(const Lost&) const = default;
};

std::optional<Lost> FirstLostSlowly(const TxLog& log, const SackScoreboard& sb, uint32_t mss) {
  for (size_t i = 0; i < log.size(); ++i) {
    const TxRecord& r = log[i];
    if (!r.AwaitsRetransmission()) continue;
    SeqNum from = r.left;
    while (sb.IsSacked(from) && from < r.right) from = sb.RangeAtOrAbove(from)->right;
    if (!(from < r.right)) continue;
    const SeqRange* next_sacked = sb.RangeAtOrAbove(from);
    SeqNum end = from;
    for (size_t j = i; j < log.size(); ++j) {
      const TxRecord& q = log[j];
      if (j > i && (q.left != end || !q.AwaitsRetransmission())) break;
      end = q.right;
      if (next_sacked != nullptr && next_sacked->left < end) {
        end = SeqMax(next_sacked->left, from);
        break;
      }
      if (static_cast<uint32_t>(end - from) >= mss) break;
    }
    const uint32_t len = std::min(mss, static_cast<uint32_t>(end - from));
    if (len == 0) return std::nullopt;
    return Lost{from, len, r.marked_by_rack};
  }
  return std::nullopt;
}

std::optional<Lost> FirstLostFast(const TxLog& log, const SackScoreboard& sb, uint32_t mss) {
  Lost l;
  if (!log.FirstLost(sb, mss, &l.seq, &l.len, &l.by_rack)) return std::nullopt;
  return l;
}

// Records an ACK delivers by the plain walk: below the ACK, or SACKed in full.
std::vector<SeqNum> DeliveredSlowly(const TxLog& log, const SackScoreboard& sb, SeqNum ack) {
  const SeqNum sacked_end = sb.empty() ? ack : SeqMax(ack, sb.high_sacked());
  SackCursor cursor(sb);
  std::vector<SeqNum> out;
  for (size_t i = 0; i < log.size() && log[i].left < sacked_end; ++i) {
    const TxRecord& r = log[i];
    if (r.delivered) continue;
    if (r.right <= ack || cursor.Unsacked(SeqMax(r.left, ack), r.right) == 0) {
      out.push_back(r.left);
    }
  }
  return out;
}

// RFC 8985 §6.2 step 5 by the plain walk in sequence order: the records to mark lost and
// the reordering timeout.
struct Detection {
  std::vector<SeqNum> lost;
  Duration timeout = Duration::Zero();
  bool operator==(const Detection&) const = default;
};

Detection DetectSlowly(const TxLog& log, const Rack& rack, Duration reo_wnd, Instant now) {
  Detection d;
  for (size_t i = 0; i < log.size(); ++i) {
    const TxRecord& r = log[i];
    if (!r.Undecided()) continue;
    const std::optional<Duration> remaining = rack.Remaining(r, reo_wnd, now);
    if (!remaining.has_value()) {
      if (!r.retransmitted) break;
      continue;
    }
    if (*remaining <= Duration::Zero()) {
      d.lost.push_back(r.left);
    } else {
      d.timeout = Max(d.timeout, *remaining);
    }
  }
  return d;
}

class Sender {
 public:
  explicit Sender(uint32_t seed) : rng_(seed), mss_(Pick(50, 1460)) {}

  // One random step; returns its name for the failure message.
  std::string Step() {
    now_ = now_ + Duration::Micros(Pick(0, 3000));
    const uint32_t dice = Pick(0, 99);
    if (dice < 30) return SendNew();
    if (dice < 45) return Retransmit();
    if (dice < 52) return RetransmitFirstLost();
    if (dice < 82) return Ack();
    if (dice < 95) return Detect();
    if (dice < 97) return Timeout();
    if (dice < 98) return Undo();
    return Renege();
  }

  void Check(const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(log_.Totals(sb_), log_.RecomputeSlowly(sb_));
    EXPECT_EQ(log_.Pipe(sb_), log_.RecomputeSlowly(sb_).pipe);
    EXPECT_EQ(FirstLostFast(log_, sb_, mss_), FirstLostSlowly(log_, sb_, mss_));
  }

 private:
  uint32_t Pick(uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng_);
  }
  SeqNum PickSeq(SeqNum lo, SeqNum hi) {  // in [lo, hi]
    return lo + Pick(0, static_cast<uint32_t>(hi - lo));
  }

  std::string SendNew() {
    if (static_cast<uint32_t>(snd_max_ - una_) > 400 * mss_) return "send: window full";
    const uint32_t len = Pick(1, mss_);
    log_.OnTransmit(snd_max_, snd_max_ + len, now_);
    snd_max_ = snd_max_ + len;
    return absl::StrFormat("send %u", len);
  }

  std::string Retransmit() {
    if (snd_max_ == una_) return "retransmit: nothing out";
    const SeqNum left = PickSeq(una_, snd_max_ - 1);
    // Now and then past SND.MAX (a probe that also carries new data).
    const SeqNum right = left + Pick(1, 2 * mss_);
    log_.OnTransmit(left, right, now_);
    snd_max_ = SeqMax(snd_max_, right);
    return absl::StrFormat("retransmit [%u, %u)", left - kIss, right - kIss);
  }

  std::string RetransmitFirstLost() {
    Lost l;
    if (!log_.FirstLost(sb_, mss_, &l.seq, &l.len, &l.by_rack)) return "first lost: none";
    log_.OnTransmit(l.seq, l.seq + l.len, now_);
    return absl::StrFormat("first lost [%u, +%u)", l.seq - kIss, l.len);
  }

  std::string Ack() {
    const SeqNum ack = Pick(0, 3) == 0 ? PickSeq(una_, snd_max_) : una_;
    std::vector<wire::SackBlock> blocks;
    for (uint32_t n = Pick(0, 4); n > 0 && ack < snd_max_; --n) {
      const SeqNum left = PickSeq(ack, snd_max_ - 1);
      blocks.push_back({left, SeqMin(snd_max_, left + Pick(1, 4 * mss_))});
    }
    sb_.Update(ack, una_, snd_max_, blocks);
    const std::vector<SeqNum> want = DeliveredSlowly(log_, sb_, ack);
    std::vector<SeqNum> got;
    log_.OnAck(sb_, ack, [&](const TxRecord& r) {
      EXPECT_TRUE(r.delivered);
      got.push_back(r.left);
      rack_.OnDelivered(r, now_);
    });
    EXPECT_EQ(got, want) << "delivered, in ascending order";
    log_.AdvanceTo(ack);
    una_ = ack;
    return absl::StrFormat("ack %u with %u blocks", ack - kIss, blocks.size());
  }

  std::string Detect() {
    if (!rack_.has_sample()) return "detect: no sample";
    const Duration reo_wnd = Duration::Micros(Pick(0, 4000));
    const Detection want = DetectSlowly(log_, rack_, reo_wnd, now_);
    std::vector<SeqNum> undecided_before;
    for (size_t i = 0; i < log_.size(); ++i) {
      if (log_[i].Undecided()) undecided_before.push_back(log_[i].left);
    }
    bool marked = false;
    const std::optional<TxRecord> latest = log_.DetectLoss(
        rack_.xmit_ts(), rack_.xmit_order(), rack_.LostIfSentBy(reo_wnd, now_), &marked);
    Detection got;
    for (size_t i = 0; i < log_.size(); ++i) {
      const TxRecord& r = log_[i];
      if (std::count(undecided_before.begin(), undecided_before.end(), r.left) > 0 &&
          !r.Undecided()) {
        EXPECT_TRUE(r.lost && r.marked_by_rack && !r.rexmit_in_flight);
        got.lost.push_back(r.left);
      }
    }
    if (latest.has_value()) {
      const std::optional<Duration> remaining = rack_.Remaining(*latest, reo_wnd, now_);
      EXPECT_TRUE(remaining.has_value()) << "sent before RACK's segment";
      got.timeout = remaining.value_or(Duration::Zero());
      EXPECT_GT(got.timeout, Duration::Zero()) << "its window has not passed";
    }
    EXPECT_EQ(marked, !got.lost.empty());
    EXPECT_EQ(got.lost, want.lost);
    EXPECT_EQ(got.timeout, want.timeout);
    return absl::StrFormat("detect, reo_wnd %d us: %u lost", reo_wnd.micros(), got.lost.size());
  }

  std::string Timeout() {
    log_.MarkAllLost(sb_);
    return "timeout";
  }

  std::string Undo() {
    log_.UnmarkLost();
    return "undo";
  }

  std::string Renege() {
    sb_.Clear();
    log_.ForgetDelivered();
    return "renege";
  }

  std::mt19937 rng_;
  uint32_t mss_;
  Instant now_ = kT0;
  SeqNum una_ = kIss;
  SeqNum snd_max_ = kIss;
  TxLog log_;
  SackScoreboard sb_;
  Rack rack_;
};

TEST(TxLogCrossCheck, ShortcutsMatchThePlainWalksAfterEveryStep) {
  constexpr uint32_t kSeeds = 300;
  constexpr int kSteps = 400;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE(absl::StrFormat("seed %u", seed));
    Sender sender(seed);
    for (int step = 0; step < kSteps; ++step) {
      const std::string what = sender.Step();
      sender.Check(absl::StrFormat("step %d: %s", step, what));
      if (::testing::Test::HasFailure()) return;  // the first failure, with its seed
    }
  }
}

TEST(TxLogCrossCheck, FullLogKeepsItsCounters) {
  // Past kMaxRecords segments merge into the last record: the counters follow.
  TxLog log;
  SackScoreboard sb;
  SeqNum end = kIss;
  for (uint32_t n = 0; n < TxLog::kMaxRecords + 10; ++n) {
    log.OnTransmit(end, end + 10, kT0 + Duration::Micros(n));
    end = end + 10;
  }
  const std::vector<wire::SackBlock> blocks{{kIss + 1000, kIss + 2000}, {end - 50, end}};
  sb.Update(kIss, kIss, end, blocks);
  log.OnAck(sb, kIss, [](const TxRecord&) {});
  log.MarkAllLost(sb);
  log.OnTransmit(kIss, kIss + 500, kT0 + Duration::Seconds(1));
  EXPECT_EQ(log.Totals(sb), log.RecomputeSlowly(sb));
  EXPECT_EQ(log.LostBytes(sb), static_cast<uint32_t>(end - kIss) - 1000 - 50);
  EXPECT_EQ(log.RetransmittedBytes(sb), 500u);
}

}  // namespace
}  // namespace tcpaas::tcp
