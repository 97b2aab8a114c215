// CUBIC through a whole connection: a bulk sender over a 100 ms path loses one segment at a
// window of about a thousand segments; afterwards CUBIC (RFC 9438) keeps 70% of the window
// and climbs back towards it along the cubic curve, while NewReno halves it and adds one
// segment per round trip.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "stack/tcp/testing/harness.h"

namespace tcpaas::tcp::testing {
namespace {

constexpr uint32_t kMss = 1000;
const Duration kRtt = Duration::Millis(100);

struct BulkResult {
  std::string congestion_control;  // as the connection reports it
  uint32_t cwnd_before_loss = 0;   // the largest cwnd before recovery began
  uint32_t ssthresh_after_loss = 0;
  uint32_t cwnd_after = 0;  // `ca_time` after recovery ended
  uint64_t bytes_acked_after = 0;
  uint64_t fast_recoveries = 0;
  uint64_t rto_timeouts = 0;
};

// A peer that ACKs every segment at once over a path of `kRtt`, delivers in order, and
// drops the first transmission of the segment holding byte `drop_at` of the stream. No
// SACK and no timestamps: the loss is repaired by fast retransmit (RFC 5681 §3.2).
class BulkTransfer {
 public:
  BulkTransfer(const std::string& congestion_control, uint64_t drop_at) : drop_at_(drop_at) {
    ConnectionOptions options;
    options.congestion_control = congestion_control;
    options.send_buffer_bytes = 4 << 20;
    conn_ = h_.Establish(options, SeqNum(5000), SynAck().Win(65535).Mss(kMss).Ws(7));
    data_start_ = h_.iss() + 1;
  }

  BulkResult Run(Duration ca_time) {
    BulkResult r;
    auto options = h_.layer().GetOptions(conn_);
    EXPECT_TRUE(options.ok()) << options.status();
    if (options.ok()) r.congestion_control = options->congestion_control;
    Instant recovery_end = Instant::Never();
    uint64_t acked_at_recovery_end = 0;
    while (recovery_end == Instant::Never() || h_.now() < recovery_end + ca_time) {
      if (!Step()) break;
      const TcpStats s = h_.Stats(conn_);
      if (s.fast_recoveries == 0) {
        r.cwnd_before_loss = std::max(r.cwnd_before_loss, s.cwnd);
      } else if (recovery_end == Instant::Never() && s.ca_state == TcpCaState::kOpen) {
        recovery_end = h_.now();
        r.ssthresh_after_loss = s.ssthresh;
        acked_at_recovery_end = s.bytes_acked;
      }
    }
    const TcpStats s = h_.Stats(conn_);
    r.cwnd_after = s.cwnd;
    r.bytes_acked_after = s.bytes_acked - acked_at_recovery_end;
    r.fast_recoveries = s.fast_recoveries;
    r.rto_timeouts = s.rto_timeouts;
    return r;
  }

 private:
  struct PendingAck {
    Instant at;
    uint64_t ack;  // stream offset the peer acknowledges
  };

  // Sends what the sender queued to the peer and delivers the next ACK (or runs the next
  // timer). False if nothing can happen any more.
  bool Step() {
    TopUp();
    while (std::optional<SentSegment> s = h_.PopSent()) ReachPeer(*s);
    if (acks_.empty()) return h_.RunNextTimer();
    const PendingAck next = acks_.front();
    acks_.pop_front();
    h_.AdvanceTo(next.at);
    h_.Inject(
        Ack().Seq(h_.peer_iss() + 1).Ack(data_start_ + static_cast<uint32_t>(next.ack)).Win(65535));
    return true;
  }

  void TopUp() {
    const size_t space = h_.layer().SendSpace(conn_);
    if (space > 64 * 1024) h_.SendString(conn_, std::string(space, 'x'));
  }

  // The peer sees the segment half an RTT later and its ACK comes back after the other
  // half; the path does not reorder, so the peer's state can be advanced now.
  void ReachPeer(const SentSegment& s) {
    if (s.payload.empty()) return;
    const uint64_t begin = static_cast<uint32_t>(s.seq() - data_start_);
    const uint64_t end = begin + s.payload.size();
    if (!dropped_ && begin <= drop_at_ && drop_at_ < end) {
      dropped_ = true;
      return;
    }
    if (begin <= rcv_nxt_) {
      rcv_nxt_ = std::max(rcv_nxt_, end);
      // Out-of-order data the hole held back is now in order.
      for (auto it = out_of_order_.begin(); it != out_of_order_.end() && it->first <= rcv_nxt_;) {
        rcv_nxt_ = std::max(rcv_nxt_, it->second);
        it = out_of_order_.erase(it);
      }
    } else {
      out_of_order_[begin] = std::max(out_of_order_[begin], end);
    }
    acks_.push_back(PendingAck{s.at + kRtt, rcv_nxt_});
  }

  Harness h_;
  ConnId conn_;
  SeqNum data_start_;
  uint64_t drop_at_;
  bool dropped_ = false;
  uint64_t rcv_nxt_ = 0;
  std::map<uint64_t, uint64_t> out_of_order_;  // begin -> end
  std::deque<PendingAck> acks_;
};

TEST(CubicConnectionTest, GrowsBackFasterThanNewRenoAfterALossAtALargeWindow) {
  // Slow start from 10 segments doubles each round trip: segment 1200 is the 570th of the
  // round that starts with a cwnd of 640; its loss is noticed a round trip later, at a cwnd
  // of about 1200 segments.
  constexpr uint64_t kDropAt = 1200 * kMss;
  const Duration kCongestionAvoidance = Duration::Seconds(3);
  const BulkResult cubic = BulkTransfer("cubic", kDropAt).Run(kCongestionAvoidance);
  const BulkResult newreno = BulkTransfer("newreno", kDropAt).Run(kCongestionAvoidance);

  EXPECT_EQ(cubic.congestion_control, "cubic");
  EXPECT_EQ(newreno.congestion_control, "newreno");
  for (const BulkResult* r : {&cubic, &newreno}) {
    SCOPED_TRACE(r->congestion_control);
    EXPECT_EQ(r->fast_recoveries, 1u);
    EXPECT_EQ(r->rto_timeouts, 0u);
    EXPECT_GT(r->cwnd_before_loss, 1000 * kMss) << "the loss came at a large window";
  }
  // RFC 9438 §4.6: ssthresh = 0.7 * cwnd; RFC 5681 §3.2: FlightSize / 2.
  EXPECT_EQ(cubic.ssthresh_after_loss, cubic.cwnd_before_loss * 7 / 10);
  EXPECT_NEAR(static_cast<double>(newreno.ssthresh_after_loss) / newreno.cwnd_before_loss, 0.5,
              0.05);

  // 30 round trips later: NewReno has added about 30 segments to its half window; CUBIC is
  // most of the way back to W_max (W_cubic(3 s) = 0.4 (3 - K)^3 + W_max = 0.9 W_max with
  // K ~ 9.7 s).
  const double w_max = static_cast<double>(cubic.cwnd_before_loss);
  EXPECT_GT(cubic.cwnd_after, 1.4 * newreno.cwnd_after)
      << "cubic " << cubic.cwnd_after / kMss << " segments, newreno " << newreno.cwnd_after / kMss;
  EXPECT_GT(cubic.cwnd_after, 0.8 * w_max);
  EXPECT_LE(cubic.cwnd_after, w_max) << "still concave: below W_max before K";
  EXPECT_LT(newreno.cwnd_after, newreno.ssthresh_after_loss + 40 * kMss);
  EXPECT_GT(cubic.bytes_acked_after, newreno.bytes_acked_after * 5 / 4);
}

}  // namespace
}  // namespace tcpaas::tcp::testing
