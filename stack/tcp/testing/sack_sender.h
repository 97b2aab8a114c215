// A test fixture for the sending side of loss recovery (tests only; header-only so the
// library glob skips it). One established connection whose peer acknowledges in whole
// segments: segment n is [n * MSS, (n + 1) * MSS) of our data, so a test reads as a trace:
//
//   SendSegments(10);                 // IW10 on the wire, taken off it
//   h_.AdvanceTime(rtt());
//   PeerAck(0, {{1, 4}});             // ACK 0 with SACK 1-3, i.e. [At(1), At(4))
//   ExpectSegment(0, "fast retransmit");
//   EXPECT_EQ(Retransmits(RetransmitKind::kRack), 1u);
//
// We offer every option; SackSenderOptions say what the peer's SYN-ACK grants.
#ifndef TCPAAS_STACK_TCP_TESTING_SACK_SENDER_H_
#define TCPAAS_STACK_TCP_TESTING_SACK_SENDER_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "stack/base/time.h"
#include "stack/tcp/testing/harness.h"
#include "stack/tcp/testing/states.h"
#include "stack/tcp/types.h"
#include "stack/wire/seq.h"

namespace tcpaas::tcp::testing {

struct SackSenderOptions {
  bool sack = true;         // the peer grants SACK
  bool timestamps = false;  // and timestamps (which take 12 bytes of every segment)
  // Ours; empty: the stack's default (CUBIC). Pin "newreno" where figures are NewReno's.
  std::string congestion_control;
  uint16_t mss = 1000;  // the peer's MSS option
  // Stack-wide (TcpConfig), so only the options given to the fixture's constructor count.
  uint32_t initial_window_segments = 10;
  // How long the handshake takes: the first RTT sample (SRTT, RACK.min_RTT, the RTO).
  Duration rtt = Duration::Millis(50);
};

class SackSenderTest : public ::testing::Test {
 protected:
  // The peer's ACKs: its sequence number stays put, its window is 1000 << 7 bytes.
  static constexpr uint16_t kPeerWindow = 1000;
  static constexpr uint8_t kPeerWindowScale = 7;
  static constexpr uint32_t kPeerSynAckTsVal = 100;
  static constexpr uint32_t kPeerTsVal = 200;

  explicit SackSenderTest(SackSenderOptions options = {})
      : h_(ConfigFor(options)), options_(std::move(options)) {}

  // Opens a connection with the constructor's options, or with `options` (again and again
  // in one test if it aborts the previous connection).
  void Open() { Open(options_); }
  void Open(const SackSenderOptions& options) {
    EXPECT_EQ(options.initial_window_segments, options_.initial_window_segments)
        << "the initial window is stack-wide: give it to the fixture's constructor";
    open_ = options;
    ConnectionOptions ours;
    if (!options.congestion_control.empty()) ours.congestion_control = options.congestion_control;
    conn_ = h_.Connect(kRemote, ours);
    const SentSegment syn = h_.ExpectSent(Syn());
    h_.AdvanceTime(options.rtt);
    SegmentTemplate synack =
        SynAck().Seq(kPeerIss).Ack(h_.iss() + 1).Win(65535).Mss(options.mss).Ws(kPeerWindowScale);
    if (options.sack) synack.SackOk();
    if (options.timestamps) synack.Ts(kPeerSynAckTsVal, TsVal(syn));
    h_.Inject(synack);
    h_.ExpectSent(Ack().Seq(h_.iss() + 1).Ack(kPeerIss + 1));
    our_ = h_.iss() + 1;
    mss_ = h_.Stats(conn_).snd_mss;
    last_tsval_ = TsVal(syn);
  }

  // --- Sequence space in segments ---------------------------------------------------------
  SeqNum At(uint32_t segment) const { return our_ + segment * mss_; }
  // The payload of one segment: the peer's MSS less our options.
  uint32_t mss() const { return mss_; }
  Duration rtt() const { return open_.rtt; }

  // --- The application --------------------------------------------------------------------
  // Writes `n` segments of data; what goes out stays on the wire for ExpectSegment().
  void WriteSegments(uint32_t n) { h_.SendString(conn_, std::string(n * mss_, 's')); }
  // Writes `n` segments and takes what was sent of them off the wire. Returns the TSval the
  // first carried (0 without timestamps).
  uint32_t SendSegments(uint32_t n) {
    WriteSegments(n);
    uint32_t first_tsval = 0;
    for (uint32_t i = 0; i < n && h_.HasSent(); ++i) {
      const uint32_t tsval = Took(*h_.PopSent());
      if (i == 0) first_tsval = tsval;
    }
    return first_tsval;
  }

  // --- The peer ---------------------------------------------------------------------------
  using SackSegments = std::initializer_list<std::pair<uint32_t, uint32_t>>;
  // ACKs segments below `ack` and SACKs [first, last) for each block, in that order. With
  // timestamps it echoes the last TSval taken off the wire.
  void PeerAck(uint32_t ack, SackSegments sacks = {}) { PeerAckEchoing(ack, last_tsval_, sacks); }
  // The same with TSecr `ts_ecr` (RFC 7323 §4.3), when timestamps are in use.
  void PeerAckEchoing(uint32_t ack, uint32_t ts_ecr, SackSegments sacks = {}) {
    SegmentTemplate t = Ack().Seq(kPeerIss + 1).Ack(At(ack)).Win(kPeerWindow);
    if (open_.timestamps) t.Ts(kPeerTsVal, ts_ecr);
    for (const auto& [first, last] : sacks) t.Sack(At(first), At(last));
    h_.Inject(t);
  }

  // --- What we send -----------------------------------------------------------------------
  // Expects segment `segment` (a full one) next on the wire.
  SentSegment ExpectSegment(uint32_t segment, const std::string& where = "") {
    const SentSegment s = h_.ExpectSent(Data(mss_).Seq(At(segment)), where);
    Took(s);
    return s;
  }
  static uint32_t TsVal(const SentSegment& s) {
    return s.header.options.timestamps ? s.header.options.timestamps->val : 0;
  }

  // --- The connection ---------------------------------------------------------------------
  TcpStats Stats() const { return h_.Stats(conn_); }
  uint64_t Retransmits(RetransmitKind kind) const {
    return Stats().retransmits[static_cast<size_t>(kind)];
  }

  Harness h_;
  ConnId conn_;

 private:
  static TcpConfig ConfigFor(const SackSenderOptions& options) {
    TcpConfig config = TestConfig();
    config.initial_window_segments = options.initial_window_segments;
    return config;
  }
  uint32_t Took(const SentSegment& s) {
    if (s.header.options.timestamps) last_tsval_ = TsVal(s);
    return TsVal(s);
  }

  SackSenderOptions options_;  // the constructor's
  SackSenderOptions open_;     // those of the connection Open() made last
  SeqNum our_;
  uint32_t mss_ = 0;
  uint32_t last_tsval_ = 0;
};

}  // namespace tcpaas::tcp::testing

#endif  // TCPAAS_STACK_TCP_TESTING_SACK_SENDER_H_
