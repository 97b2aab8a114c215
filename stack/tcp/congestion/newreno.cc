#include "stack/tcp/congestion/newreno.h"

#include <algorithm>
#include <limits>

namespace tcpaas::tcp {
namespace {

// cwnd never grows past this, so additions cannot overflow 32 bits. It is far above any
// window the peer can advertise (2^30 with the largest window scale).
constexpr uint32_t kMaxCwnd = std::numeric_limits<uint32_t>::max() / 2;

uint32_t ValidMss(uint32_t mss) { return std::max<uint32_t>(mss, 1); }

}  // namespace

uint32_t InitialWindow(uint32_t mss, uint32_t initial_window_segments) {
  mss = ValidMss(mss);
  const uint64_t by_segments = uint64_t{std::max<uint32_t>(initial_window_segments, 1)} * mss;
  const uint64_t cap = std::max<uint64_t>(2 * uint64_t{mss}, 14600);
  return static_cast<uint32_t>(std::min({by_segments, cap, uint64_t{kMaxCwnd}}));
}

NewReno::NewReno(uint32_t mss, uint32_t initial_window_segments)
    : initial_window_segments_(initial_window_segments),
      cwnd_(InitialWindow(mss, initial_window_segments)),
      ssthresh_(std::numeric_limits<uint32_t>::max()) {}

void NewReno::set_cwnd(uint32_t bytes) { cwnd_ = std::min(bytes, kMaxCwnd); }

void NewReno::OnAck(uint32_t acked_bytes, uint32_t mss, Instant now) {
  mss = ValidMss(mss);
  if (cwnd_ < ssthresh_) {
    // RFC 5681 §3.1 slow start, counting bytes (RFC 3465 §2.2) without the L = 2 * SMSS
    // limit: like Linux (tcp_slow_start adds every acknowledged segment), so a receiver that
    // ACKs every 4th segment grows cwnd as fast as one that ACKs every segment. The
    // caller only grows a cwnd that limits the sender (RFC 7661), and Linux-derived tests
    // expect this growth. Growth stops at ssthresh; the rest counts towards congestion
    // avoidance.
    const uint32_t increase = acked_bytes;
    const uint32_t room = ssthresh_ - cwnd_;
    if (increase < room) {
      cwnd_ = std::min(cwnd_ + increase, kMaxCwnd);
      return;
    }
    cwnd_ = std::min(ssthresh_, kMaxCwnd);
    acked_bytes = increase - room;
  }
  // RFC 5681 §3.1 congestion avoidance, byte counting (RFC 3465 §2.1): one SMSS per cwnd of
  // acknowledged bytes.
  bytes_acked_ = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{bytes_acked_} + acked_bytes,
                                                          std::numeric_limits<uint32_t>::max()));
  while (bytes_acked_ >= cwnd_ && cwnd_ < kMaxCwnd) {
    bytes_acked_ -= cwnd_;
    cwnd_ = std::min(cwnd_ + mss, kMaxCwnd);
  }
  if (cwnd_ >= kMaxCwnd) bytes_acked_ = 0;
}

void NewReno::ReduceSsthresh(uint32_t flight_size, uint32_t mss) {
  ssthresh_ = std::max(flight_size / 2, 2 * ValidMss(mss));
  bytes_acked_ = 0;
}

void NewReno::OnFastRetransmit(uint32_t flight_size, uint32_t mss, Instant now) {
  // RFC 5681 §3.2 step 2 / RFC 6582 §3.2 step 2; the caller inflates by the duplicates.
  ReduceSsthresh(flight_size, mss);
  cwnd_ = ssthresh_;
}

void NewReno::OnRecoveryExit(uint32_t flight_size, uint32_t mss, Instant now) {
  // RFC 6582 §3.2 step 3 (full acknowledgment), option 1: min(ssthresh, max(FlightSize,
  // SMSS) + SMSS), which avoids a burst when little data is outstanding.
  mss = ValidMss(mss);
  const uint64_t limit = uint64_t{std::max(flight_size, mss)} + mss;
  cwnd_ = static_cast<uint32_t>(std::min<uint64_t>(ssthresh_, limit));
  bytes_acked_ = 0;
}

void NewReno::OnRetransmitTimeout(uint32_t flight_size, uint32_t mss, Instant now) {
  // RFC 5681 §3.1 eq. 4, and the loss window LW = 1 SMSS.
  ReduceSsthresh(flight_size, mss);
  cwnd_ = ValidMss(mss);
}

void NewReno::OnIdleRestart(uint32_t mss, Instant now) {
  // RFC 5681 §4.1: cwnd = RW = min(IW, cwnd).
  cwnd_ = std::min(cwnd_, InitialWindow(mss, initial_window_segments_));
  bytes_acked_ = 0;
}

}  // namespace tcpaas::tcp
