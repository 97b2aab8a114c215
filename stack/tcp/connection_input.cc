// Segment arrival, following RFC 9293 §3.10.7 step by step (with the RFC 5961 and RFC 7323
// amendments). The ACK field (fifth step) lives in connection_ack.cc.
#include <algorithm>

#include "stack/tcp/connection.h"
#include "stack/tcp/reset.h"

namespace tcpaas::tcp {
namespace {

// RFC 7323 §5.5: a TS.Recent older than this is no longer used for PAWS.
constexpr Duration kPawsIdleLimit = Duration::Seconds(24 * 24 * 60 * 60);
// Pure ACKs that fall outside the window are answered at most this often, so two stacks that
// disagree about the sequence space cannot bounce ACKs forever (Linux tcp_invalid_ratelimit).
constexpr Duration kOutOfWindowAckInterval = Duration::Millis(500);

void ClearFlag(Segment& seg, uint8_t flag) { seg.flags = static_cast<uint8_t>(seg.flags & ~flag); }

}  // namespace

void Connection::OnSegment(const Segment& seg, Instant now) {
  ++stats_.segments_received;
  switch (state_) {
    case TcpState::kClosed:
    case TcpState::kListen:
      return;
    case TcpState::kSynSent:
      OnSegmentInSynSent(seg, now);
      return;
    default:
      break;
  }

  Segment in = seg;
  if (state_ == TcpState::kSynReceived && in.syn()) {
    // The peer repeated its SYN: our SYN-ACK was lost. Repeat it (as Linux does for a
    // duplicate SYN), instead of the challenge ACK the synchronized states would send.
    if (!in.has_ack() && !in.rst() && in.seq == irs_) {
      (void)SendSyn(now);
      return;
    }
    // Simultaneous open (RFC 9293 Figure 8, line 6): the peer's SYN-ACK completes our
    // handshake. Its SYN repeats the one already received; the ACK is what matters.
    if (!passive_ && in.has_ack() && !in.rst() && in.seq == irs_ && in.payload.empty() &&
        in.ack == snd_max_) {
      ClearFlag(in, wire::tcp_flags::kSyn);
      in.seq = in.seq + 1;
    }
  }

  // First: sequence number (and PAWS); trims `text` to the window.
  Segment text = in;
  if (!CheckSequence(text, now)) return;
  last_received_ = now;
  if (keepalive_probes_sent_ > 0) {
    keepalive_probes_sent_ = 0;
    ArmKeepalive(now);
  }
  // Second: RST (RFC 5961 §3).
  if (!CheckReset(in, now)) return;
  // Third, security: not implemented (RFC 9293 §3.10.7.4 allows ignoring it).
  // Fourth: SYN (RFC 5961 §4).
  if (!CheckSyn(in, now)) return;
  // Fifth: ACK.
  if (!CheckAck(in, now)) return;
  if (state_ == TcpState::kClosed) return;
  // RFC 7323 §4.3, once the segment (including its ACK) proved acceptable.
  UpdateTsRecent(in, now);
  // Sixth, URG: ignored; urgent data is delivered inline like any other (RFC 6093 §5).
  // Seventh and eighth: segment text and FIN.
  ProcessText(text, now);
  if (state_ == TcpState::kClosed) return;
  Output(now);
}

// RFC 9293 §3.10.7.3.
void Connection::OnSegmentInSynSent(const Segment& seg, Instant now) {
  // First: the ACK must acknowledge our SYN and nothing we did not send.
  if (seg.has_ack() && (seg.ack <= iss_ || seg.ack > snd_max_)) {
    ctx_->counters->Drop(DropReason::kTcpBadAck);
    SendResetFor(seg, *ctx_->ip, *ctx_->counters, now);
    return;
  }
  // Second: a RST counts only with an acceptable ACK (RFC 5961 §3.2 for SYN-SENT).
  if (seg.rst()) {
    if (!seg.has_ack()) {
      ctx_->counters->Drop(DropReason::kTcpBadRst);
      return;
    }
    ++ctx_->counters->tcp_resets_rx;
    EnterClosed(CloseReason::kRefused);
    return;
  }
  // Fourth: SYN. Anything else is dropped.
  if (!seg.syn()) {
    ctx_->counters->Drop(DropReason::kTcpOutOfWindow);
    return;
  }
  irs_ = seg.seq;
  rcv_nxt_ = seg.seq + 1;
  // Our SYN offered min(buffer, 65535) bytes from here on (the largest if it was sent again).
  rcv_adv_edge_ = rcv_nxt_ + syn_window_;
  last_received_ = now;

  if (!seg.has_ack()) {
    // Simultaneous open: SYN-RECEIVED, answer with SYN-ACK. Our SYN-ACK carries only
    // options both SYNs carried, as a passive open would. Data in the SYN is not accepted.
    offer_ = PassiveOffer(options_, local_mss_, offer_.window_shift, seg.options);
    ApplyNegotiated(Negotiate(offer_, seg.options));
    if (ts_enabled_) {
      ts_recent_ = seg.options.timestamps->val;
      ts_recent_stamp_ = now;
    }
    state_ = TcpState::kSynReceived;
    snd_wnd_ = seg.window;  // RFC 7323 §2.2: never scaled in a SYN
    max_snd_wnd_ = snd_wnd_;
    snd_wl1_ = seg.seq;
    snd_wl2_ = iss_;
    (void)SendSyn(now);
    ArmRetransmitTimer(now);
    return;
  }

  // Our SYN is acknowledged: ESTABLISHED.
  ApplyNegotiated(Negotiate(offer_, seg.options));
  if (ts_enabled_) {
    ts_recent_ = seg.options.timestamps->val;
    ts_recent_stamp_ = now;
  }
  const SeqNum prior_una = snd_una_;
  snd_una_ = seg.ack;
  snd_nxt_ = SeqMax(snd_nxt_, snd_una_);
  snd_wnd_ = seg.window;  // RFC 7323 §2.2: never scaled in a SYN
  max_snd_wnd_ = snd_wnd_;
  snd_wl1_ = seg.seq;
  snd_wl2_ = seg.ack;
  SampleRtt(seg, prior_una, now);
  rtt_.ResetBackoff();
  timers_.Cancel(TimerKind::kRetransmit);
  EnterEstablished(now);

  // Data (and a FIN) in the SYN-ACK are processed from the sixth step on.
  Segment text = seg;
  ClearFlag(text, wire::tcp_flags::kSyn);
  text.seq = seg.seq + 1;
  const uint32_t window = AdvertisedWindowLeft();
  const SeqNum edge = rcv_nxt_ + window;
  if (text.seq + static_cast<uint32_t>(text.payload.size()) > edge) {
    text.payload = text.payload.first(static_cast<size_t>(edge - text.seq));
    ClearFlag(text, wire::tcp_flags::kFin);
  }
  ProcessText(text, now);
  if (state_ == TcpState::kClosed) return;
  ack_now_ = true;  // "form an ACK segment and send it"
  Output(now);
}

bool Connection::PawsRejects(const Segment& seg, Instant now) const {
  // RFC 7323 §5.3 R1 (RST segments are exempt), with §5.5's idle limit.
  if (!ts_enabled_ || seg.rst() || !seg.options.timestamps.has_value()) return false;
  if (now - ts_recent_stamp_ > kPawsIdleLimit) return false;
  return static_cast<int32_t>(seg.options.timestamps->val - ts_recent_) < 0;
}

void Connection::UpdateTsRecent(const Segment& seg, Instant now) {
  // RFC 7323 §4.3 (2) and §5.3 R3: remember the TSval of a segment that begins at or before
  // the sequence number we last acknowledged.
  if (!ts_enabled_ || !seg.options.timestamps.has_value()) return;
  const uint32_t val = seg.options.timestamps->val;
  const bool newer =
      static_cast<int32_t>(val - ts_recent_) >= 0 || now - ts_recent_stamp_ > kPawsIdleLimit;
  if (newer && seg.seq <= last_ack_sent_) {
    ts_recent_ = val;
    ts_recent_stamp_ = now;
  }
}

// RFC 9293 §3.10.7.4 first: is any of the segment inside the window? Then keep only that.
bool Connection::CheckSequence(Segment& seg, Instant now) {
  const bool pure_ack = seg.len() == 0;
  // Keepalive and zero-window probes carry SEG.SEQ = RCV.NXT - 1 and always get an answer.
  const bool probe = pure_ack && seg.seq + 1 == rcv_nxt_;
  auto answer_unacceptable = [&](DropReason reason) {
    ctx_->counters->Drop(reason);
    if (seg.rst()) return;  // never answer a RST
    if (seg.syn()) {        // RFC 5961 §4: challenge ACK whatever the sequence number
      SendChallengeAck(now);
      return;
    }
    if (pure_ack && !probe) {
      if (last_oow_ack_ != Instant::Never() && now - last_oow_ack_ < kOutOfWindowAckInterval) {
        return;
      }
      last_oow_ack_ = now;
    }
    if (state_ == TcpState::kTimeWait && seg.fin()) {
      // A retransmitted FIN: our ACK of it was lost. ACK again and wait 2 MSL again.
      timers_.Arm(TimerKind::kTimeWait, now + config_.time_wait);
    }
    // Linux: data already received (our ACK was lost) or outside the window puts the
    // receiver back into quick-ACK mode.
    if (!seg.payload.empty()) EnterQuickAckMode();
    // RFC 2883 §4 (1): data wholly below RCV.NXT was a duplicate; the ACK reports it.
    const SeqNum data_start = seg.seq + (seg.syn() ? 1 : 0);
    if (!seg.payload.empty() && data_start < rcv_nxt_) {
      NoteDuplicateData(data_start,
                        SeqMin(data_start + static_cast<uint32_t>(seg.payload.size()), rcv_nxt_));
    }
    SendAck(now);
  };

  // RFC 7323 §5.3 R1: PAWS.
  if (PawsRejects(seg, now)) {
    answer_unacceptable(DropReason::kTcpPaws);
    return false;
  }

  // RFC 9293 §3.10.7.4, the acceptability table.
  const uint32_t window = AdvertisedWindowLeft();
  const SeqNum edge = rcv_nxt_ + window;
  const uint32_t len = seg.len();
  bool acceptable;
  if (len == 0) {
    acceptable = window == 0 ? seg.seq == rcv_nxt_ : SeqInRange(seg.seq, rcv_nxt_, edge);
  } else if (window == 0) {
    // "Special allowance should be made to accept valid ACKs, URGs, and RSTs": a segment
    // exactly at RCV.NXT is processed for its control fields; its data is trimmed below.
    acceptable = seg.seq == rcv_nxt_;
  } else {
    acceptable =
        SeqInRange(seg.seq, rcv_nxt_, edge) || SeqInRange(seg.seq + (len - 1), rcv_nxt_, edge);
  }
  if (!acceptable) {
    answer_unacceptable(seg.rst()   ? DropReason::kTcpBadRst
                        : seg.syn() ? DropReason::kTcpBadSyn
                                    : DropReason::kTcpOutOfWindow);
    return false;
  }

  // Trim the front: what is before RCV.NXT was received already.
  if (seg.seq < rcv_nxt_) {
    uint32_t skip = static_cast<uint32_t>(rcv_nxt_ - seg.seq);
    if (seg.syn()) {
      ClearFlag(seg, wire::tcp_flags::kSyn);
      seg.seq = seg.seq + 1;
      --skip;
    }
    const size_t cut = std::min<size_t>(skip, seg.payload.size());
    // RFC 2883 §4 (1): the part below RCV.NXT was a duplicate.
    if (cut > 0) NoteDuplicateData(seg.seq, seg.seq + static_cast<uint32_t>(cut));
    seg.payload.remove_prefix(cut);
    seg.seq = seg.seq + static_cast<uint32_t>(cut);
    if (skip > cut) ClearFlag(seg, wire::tcp_flags::kFin);  // the FIN was received already
  }
  // Trim the back: data beyond the window is not ours to keep. A FIN right at the edge needs
  // no buffer space and is kept.
  const uint32_t room = seg.seq < edge ? static_cast<uint32_t>(edge - seg.seq) : 0;
  if (seg.payload.size() > room) {
    seg.payload = seg.payload.first(room);
    ClearFlag(seg, wire::tcp_flags::kFin);
    ctx_->counters->Drop(DropReason::kTcpRcvBufferFull);
    ack_now_ = true;
  }
  return true;
}

// RFC 9293 §3.10.7.4 second, with RFC 5961 §3.2.
bool Connection::CheckReset(const Segment& seg, Instant now) {
  if (!seg.rst()) return true;
  if (seg.seq != rcv_nxt_) {
    // In the window but not exactly at RCV.NXT: maybe forged. A genuine sender answers the
    // challenge ACK with a RST that is exact.
    ctx_->counters->Drop(DropReason::kTcpBadRst);
    SendChallengeAck(now);
    return false;
  }
  if (state_ == TcpState::kTimeWait) {
    // RFC 1337: a RST must not cut TIME-WAIT short.
    ctx_->counters->Drop(DropReason::kTcpBadRst);
    return false;
  }
  ++ctx_->counters->tcp_resets_rx;
  if (state_ == TcpState::kSynReceived && !passive_) {
    EnterClosed(CloseReason::kRefused);  // our active open was refused
  } else {
    // A passive SYN-RECEIVED child goes away (its listener stays); every synchronized state
    // is reset.
    EnterClosed(CloseReason::kReset);
  }
  return false;
}

// RFC 9293 §3.10.7.4 fourth, with RFC 5961 §4.
bool Connection::CheckSyn(const Segment& seg, Instant now) {
  if (!seg.syn()) return true;
  ctx_->counters->Drop(DropReason::kTcpBadSyn);
  SendChallengeAck(now);
  return false;
}

// RFC 9293 §3.10.7.4 seventh (segment text) and eighth (FIN). `seg` is trimmed to the window.
void Connection::ProcessText(const Segment& seg, Instant now) {
  const size_t len = seg.payload.size();
  const bool text_state = state_ == TcpState::kEstablished || state_ == TcpState::kFinWait1 ||
                          state_ == TcpState::kFinWait2;
  if (len > 0 && !text_state) {
    // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer's FIN came already; data after it
    // cannot be genuine.
    ctx_->counters->Drop(DropReason::kTcpOutOfWindow);
    ack_now_ = true;
    return;
  }
  if (len > 0 && read_closed_) {
    // Nobody will read this: reset (RFC 2525 §2.17, Linux's behaviour for orphans).
    ctx_->counters->Drop(DropReason::kTcpAfterClose);
    SendReset(now);
    EnterClosed(CloseReason::kAborted);
    return;
  }

  size_t stored = 0;
  if (len > 0) {
    const size_t offset = static_cast<size_t>(seg.seq - rcv_nxt_);
    // RFC 2883 §4 (2): out-of-order data we hold already was a duplicate; report the first
    // overlap (Linux tcp_data_queue_ofo does the same).
    for (const ByteRange& held : recv_buffer_.out_of_order()) {
      const size_t from = std::max(offset, held.start);
      const size_t to = std::min(offset + len, held.end);
      if (from < to) {
        NoteDuplicateData(rcv_nxt_ + static_cast<uint32_t>(from),
                          rcv_nxt_ + static_cast<uint32_t>(to), /*extend=*/true);
        ack_now_ = true;
        break;
      }
    }
    const ReceiveBuffer::WriteResult w = recv_buffer_.Write(offset, seg.payload);
    stored = w.taken;
    if (stored < len) {
      // Either the assembler has no range left for one more island of out-of-order data
      // (the peer retransmits it), or the bytes lie past what the buffer holds.
      ctx_->counters->Drop(w.stored ? DropReason::kTcpRcvBufferFull
                                    : DropReason::kTcpOutOfOrderFull);
      ack_now_ = true;
    }
    rcv_mss_estimate_ = std::max<uint32_t>(
        rcv_mss_estimate_, static_cast<uint32_t>(std::min<size_t>(len, local_mss_)));
    if (offset == 0) {
      rcv_nxt_ += static_cast<uint32_t>(w.advanced);
      stats_.bytes_received += w.advanced;
      ctx_->counters->tcp_bytes_rx += w.advanced;
      rx_bytes_unacked_ += static_cast<uint32_t>(w.advanced);
      if (w.advanced > 0) Emit(TcpEventType::kReadable);
      ScheduleAckForData(len, w.advanced, now);
    } else {
      // RFC 5681 §4.2: out-of-order data is acknowledged at once (a duplicate ACK), with
      // SACK blocks (RFC 2018 §4).
      if (stored > 0) {
        sack_history_.OnOutOfOrderSegment(seg.seq, seg.seq + static_cast<uint32_t>(stored));
      }
      ack_now_ = true;
    }
  }

  if (fin_received_ || !text_state) return;
  if (seg.fin()) {
    const SeqNum fin_seq = seg.seq + static_cast<uint32_t>(len);
    if (fin_seq == rcv_nxt_) {
      ProcessFin(now);
      return;
    }
    if (fin_seq > rcv_nxt_ && stored == len) pending_fin_ = fin_seq;  // out of order
    ack_now_ = true;
  }
  if (pending_fin_.has_value() && *pending_fin_ == rcv_nxt_) ProcessFin(now);
}

// When to acknowledge in-order data. RFC 9293 §3.8.6.3 and RFC 5681 §4.2 ask for an ACK at
// least every second full-sized segment and within 500 ms, and at once when a segment fills
// (part of) a gap; they allow ACKing more often. The rule, as Linux's __tcp_ack_snd_check:
//  - at once when the segment filled a gap or out-of-order data is still held;
//  - at once when more than one full segment (Linux icsk_ack.rcv_mss, RcvMss() here) is
//    unacknowledged: every second full segment, or one coalesced segment carrying two;
//  - at once in quick-ACK mode: Linux tcp_incr_quickack gives up to TCP_MAX_QUICKACKS (16,
//    config.max_quick_acks), at most receive window / (2 * rcv_mss) and at least 2, ACKs
//    on the first data of a connection and on data after a silence longer than the RTO
//    (the sender restarts from a small window and needs its ACKs to grow it);
//    tcp_enter_quickack_mode does the same, and ends ping-pong mode, for duplicate or
//    out-of-window data. Every segment we send spends one. Quick ACKs are off while the
//    connection is interactive (ping-pong: we replied with data within the delayed-ACK
//    time; the replies carry the ACKs) until a delayed ACK timer finds no reply;
//  - otherwise after the delayed-ACK time (config.delayed_ack, Linux TCP_DELACK_MIN).
void Connection::ScheduleAckForData(size_t len, size_t advanced, Instant now) {
  if (advanced > 0) {
    if (!data_seen_ || now - last_data_recv_ > rtt_.rto()) IncreaseQuickAcks();
    data_seen_ = true;
    last_data_recv_ = now;
  }
  if (advanced > len || recv_buffer_.has_out_of_order() || rx_bytes_unacked_ > RcvMss() ||
      InQuickAckMode()) {
    ack_now_ = true;
  } else {
    timers_.ArmIfIdle(TimerKind::kDelayedAck, now + config_.delayed_ack);
  }
}

void Connection::IncreaseQuickAcks() {
  if (config_.max_quick_acks == 0) return;
  uint32_t n = OfferableWindow() / (2 * RcvMss());
  if (n == 0) n = 2;
  quick_acks_ = std::max(quick_acks_, std::min(n, config_.max_quick_acks));
}

void Connection::EnterQuickAckMode() {
  IncreaseQuickAcks();
  pingpong_ = false;
}

// RFC 9293 §3.10.7.4 eighth.
void Connection::ProcessFin(Instant now) {
  rcv_nxt_ += 1;
  fin_received_ = true;
  pending_fin_.reset();
  ack_now_ = true;
  Emit(TcpEventType::kPeerFin);
  switch (state_) {
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
      state_ = TcpState::kCloseWait;
      break;
    case TcpState::kFinWait1:
      // Had our FIN been acknowledged, the ACK step would have moved us to FIN-WAIT-2.
      if (FinAcked()) {
        EnterTimeWait(now);
      } else {
        state_ = TcpState::kClosing;
      }
      break;
    case TcpState::kFinWait2:
      EnterTimeWait(now);
      break;
    default:
      break;
  }
}

}  // namespace tcpaas::tcp
