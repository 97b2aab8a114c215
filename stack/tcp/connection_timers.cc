// What happens when each of a connection's timers expires.
#include <algorithm>

#include "stack/tcp/connection.h"

namespace tcpaas::tcp {

void Connection::OnTimers(Instant now) {
  // Timers that end the connection first: nothing else matters after them.
  if (timers_.due(TimerKind::kTimeWait, now)) {
    timers_.Cancel(TimerKind::kTimeWait);
    if (state_ == TcpState::kTimeWait) {
      state_ = TcpState::kClosed;  // kClosed was raised on entering TIME-WAIT
      timers_.CancelAll();
      return;
    }
  }
  if (timers_.due(TimerKind::kFinWait2, now)) {
    timers_.Cancel(TimerKind::kFinWait2);
    if (state_ == TcpState::kFinWait2) {
      // Linux (tcp_fin_timeout): the peer never closed its side; give up with a RST.
      SendReset(now);
      EnterClosed(CloseReason::kNormal);
      return;
    }
  }
  if (timers_.due(TimerKind::kConnect, now)) {
    timers_.Cancel(TimerKind::kConnect);
    if (state_ == TcpState::kSynSent || state_ == TcpState::kSynReceived) {
      Abort(TimeoutReason(CloseReason::kSynTimeout), now);
      return;
    }
  }
  if (timers_.due(TimerKind::kUserTimeout, now)) {
    timers_.Cancel(TimerKind::kUserTimeout);
    // RFC 9293 §3.10.8 / RFC 5482: data stayed unacknowledged too long.
    if (Synchronized() && snd_max_ != snd_una_) {
      EnterClosed(CloseReason::kUserTimeout);
      return;
    }
  }
  if (timers_.due(TimerKind::kRetransmit, now)) {
    timers_.Cancel(TimerKind::kRetransmit);
    OnRetransmitTimeout(now);
    if (state_ == TcpState::kClosed) return;
  }
  if (timers_.due(TimerKind::kLossProbe, now)) {
    timers_.Cancel(TimerKind::kLossProbe);
    OnLossProbeTimeout(now);
    if (state_ == TcpState::kClosed) return;
  }
  if (timers_.due(TimerKind::kRackReorder, now)) {
    timers_.Cancel(TimerKind::kRackReorder);
    OnRackReorderTimeout(now);
    if (state_ == TcpState::kClosed) return;
  }
  if (timers_.due(TimerKind::kPersist, now)) {
    timers_.Cancel(TimerKind::kPersist);
    OnPersistTimeout(now);
    if (state_ == TcpState::kClosed) return;
  }
  if (timers_.due(TimerKind::kKeepalive, now)) {
    timers_.Cancel(TimerKind::kKeepalive);
    OnKeepaliveTimeout(now);
    if (state_ == TcpState::kClosed) return;
  }
  if (timers_.due(TimerKind::kDelayedAck, now)) {
    timers_.Cancel(TimerKind::kDelayedAck);
    OnDelayedAckTimeout(now);
  }
}

void Connection::OnRetransmitTimeout(Instant now) {
  if (snd_max_ == snd_una_ && state_ != TcpState::kSynSent) return;  // nothing outstanding
  // How many expirations in a row are allowed before giving up.
  int limit = config_.retries2;
  CloseReason reason = CloseReason::kRetransmitTimeout;
  if (state_ == TcpState::kSynSent || (state_ == TcpState::kSynReceived && !passive_)) {
    limit = config_.syn_retries;
    reason = CloseReason::kSynTimeout;
  } else if (state_ == TcpState::kSynReceived) {
    limit = config_.synack_retries;
    reason = CloseReason::kSynTimeout;
  }
  // A peer that shrank its window to zero turns our retransmissions into window probes: like
  // Linux, do not count them against the limit while the peer still answers.
  const bool peer_window_closed =
      Synchronized() && snd_wnd_ == 0 && now - last_received_ <= config_.rto_max;
  if (rto_retries_ >= limit && !peer_window_closed) {
    // RFC 9293 §3.8.3 / RFC 1122 §4.2.3.5: R2 reached, close the connection. Like Linux,
    // without a RST (the peer is presumed unreachable).
    EnterClosed(TimeoutReason(reason));
    return;
  }
  ++rto_retries_;
  ++stats_.rto_timeouts;
  ++ctx_->counters->tcp_rto_timeouts;
  // RFC 6298 §5.5: back off the timer.
  rtt_.Backoff();

  if (state_ == TcpState::kSynSent || state_ == TcpState::kSynReceived) {
    (void)SendSyn(now);  // §5.4: retransmit the earliest unacknowledged segment
    ArmRetransmitTimer(now);
    return;
  }

  // RFC 5681 §3.1 eq. 4 once per loss episode, then the loss window; RFC 6582 §4: remember
  // the highest sequence number sent and leave fast recovery.
  const uint32_t mss = SegmentSize();
  if (cc_ != nullptr) {
    if (rto_retries_ == 1) {
      // RFC 3522 §3.1: remember the first retransmission's TSval (it goes out below, now)
      // and, for RFC 4015's undo, the state the timeout is about to reduce.
      if (ts_enabled_) {
        eifel_retransmit_ts_ = TsVal(now);
        cc_before_timeout_ = cc_->Clone();
      }
      cc_->OnRetransmitTimeout(FlightSize(), mss, now);
    } else {
      cc_->set_cwnd(mss);
    }
  }
  recover_ = snd_max_ - 1;
  if (in_recovery_) OnLossEpisodeEnd();
  in_recovery_ = false;
  in_loss_ = true;
  tlp_end_seq_.reset();  // RFC 8985 §7.4: the timeout ends any TLP episode
  dupacks_ = 0;
  // Go back: everything after SND.UNA is sent again as the window allows.
  snd_nxt_ = snd_una_;
  rtt_timing_ = false;
  if (sack_enabled_) {
    // RFC 6675 §5.1: SACK information is kept, so only what was not SACKed is resent (by
    // SendFromScoreboard()) — unless the peer reneged (RFC 2018 §8): SND.UNA sits on data it
    // SACKed, which a receiver that kept it would have acknowledged.
    sack_recovery_ = false;
    rescue_rxt_.reset();
    if (scoreboard_.IsSacked(snd_una_)) {
      scoreboard_.Clear();
      tx_log_.ForgetDelivered();
    }
    // Linux tcp_timeout_mark_lost: every segment not SACKed is lost (RFC 8985 §6.3 allows
    // marking them all after an RTO).
    tx_log_.MarkAllLost(scoreboard_);
    high_rxt_ = snd_una_;
  }
  RetransmitHead(RetransmitKind::kTimeout, now);
  if (sack_enabled_) snd_nxt_ = snd_max_;  // new data continues where it stopped
  ArmRetransmitTimer(now);
}

void Connection::OnPersistTimeout(Instant now) {
  if (!Synchronized()) return;
  FollowPathMtu();
  const size_t wnd_room =
      snd_una_ + snd_wnd_ > snd_nxt_ ? static_cast<size_t>(snd_una_ + snd_wnd_ - snd_nxt_) : 0;
  const size_t unsent = UnsentBytes();
  if (wnd_room > 0 && unsent > 0) {
    // RFC 9293 §3.8.6.2.1: the override timeout of sender SWS avoidance; it also ends a
    // cork (TCP_CORK, MSG_MORE) that nothing else ended. Send what fits, with PSH as Linux's
    // probe timer does (tcp_write_wakeup).
    const size_t len = std::min({unsent, wnd_room, SegmentSizeFor(OptionBytesForData())});
    TransmitSegment(snd_nxt_, len, wire::tcp_flags::kAck | wire::tcp_flags::kPsh,
                    RetransmitKind::kTimeout, now);
    return;
  }
  if (wnd_room > 0) {
    Output(now);  // only the FIN waits, and it fits now
    return;
  }
  // RFC 9293 §3.8.6.1: zero-window probe. The peer answering resets the count in CheckAck;
  // only a peer that stops answering altogether is given up on, like a retransmission.
  if (probes_unanswered_ >= config_.retries2) {
    EnterClosed(TimeoutReason(CloseReason::kRetransmitTimeout));
    return;
  }
  SendProbe(now);
  ++probes_unanswered_;
  ++stats_.zero_window_probes;
  ++ctx_->counters->tcp_zero_window_probes;
  ++persist_backoff_;
  UpdatePersistTimer(now);
}

void Connection::OnKeepaliveTimeout(Instant now) {
  const bool keepalive_state = state_ == TcpState::kEstablished || state_ == TcpState::kCloseWait ||
                               state_ == TcpState::kFinWait2;
  if (!options_.keepalive || !keepalive_state) return;
  if (keepalive_probes_sent_ == 0 && now < last_received_ + options_.keepalive_idle) {
    timers_.Arm(TimerKind::kKeepalive, last_received_ + options_.keepalive_idle);
    return;
  }
  if (snd_max_ != snd_una_ || UnsentBytes() > 0) {
    // Data is in flight or waiting: the retransmission and persist timers watch the peer.
    timers_.Arm(TimerKind::kKeepalive, now + options_.keepalive_idle);
    return;
  }
  if (keepalive_probes_sent_ >= options_.keepalive_probes) {
    // RFC 1122 §4.2.3.6: the peer is dead. Linux tells it with a RST, in case it is not.
    SendReset(now);
    EnterClosed(CloseReason::kKeepaliveTimeout);
    return;
  }
  SendProbe(now);
  ++keepalive_probes_sent_;
  ++ctx_->counters->tcp_keepalive_probes;
  timers_.Arm(TimerKind::kKeepalive, now + options_.keepalive_interval);
}

void Connection::OnDelayedAckTimeout(Instant now) {
  // Linux tcp_delack_timer_handler: a delayed ACK that no reply carried ends ping-pong mode.
  pingpong_ = false;
  ack_now_ = true;
  Output(now);
}

void Connection::ArmKeepalive(Instant now) {
  if (options_.keepalive) {
    timers_.Arm(TimerKind::kKeepalive, now + options_.keepalive_idle);
  }
}

void Connection::ArmRetransmitTimer(Instant now) {
  timers_.Cancel(TimerKind::kLossProbe);
  timers_.Arm(TimerKind::kRetransmit, now + rtt_.rto());
}

void Connection::RestartUserTimeout(Instant now) {
  if (options_.user_timeout <= Duration::Zero()) return;
  if (snd_max_ == snd_una_) {
    timers_.Cancel(TimerKind::kUserTimeout);
  } else {
    timers_.Arm(TimerKind::kUserTimeout, now + options_.user_timeout);
  }
}

}  // namespace tcpaas::tcp
