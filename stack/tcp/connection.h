// One TCP connection: the transmission control block (RFC 9293 §3.3.1) and everything that
// changes it. The code is split by job over several files:
//   connection.cc          opening, the user calls (send, receive, close, abort), stats
//   connection_input.cc    segment arrival, RFC 9293 §3.10.7 step by step
//   connection_ack.cc      the ACK field: RTT samples, retransmission timer, NewReno recovery
//   connection_output.cc   what to send and when: data, FIN, ACKs, windows, probes, RSTs
//   connection_sack.cc     SACK-based loss recovery: RFC 6675 with PRR (RFC 9937)
//   connection_reordering.cc  the degree of reordering SACKs show (tcpi_reordering)
//   connection_rack.cc     RACK-TLP loss detection (RFC 8985): what is lost, tail probes
//   connection_timers.cc   what happens when each timer expires
//   connection_icmp.cc     ICMP errors about our segments
//
// A connection never reads a clock: every entry point takes `now`. It talks to its layer only
// through ConnectionContext (IP output, counters, events, the challenge-ACK budget); the layer
// demultiplexes segments to it, schedules its NextDeadline() and frees it once CLOSED.
#ifndef TCPAAS_STACK_TCP_CONNECTION_H_
#define TCPAAS_STACK_TCP_CONNECTION_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/counters.h"
#include "stack/base/time.h"
#include "stack/ip/transport.h"
#include "stack/tcp/challenge_ack_limiter.h"
#include "stack/tcp/congestion/congestion_control.h"
#include "stack/tcp/event_queue.h"
#include "stack/tcp/options_negotiation.h"
#include "stack/tcp/prr.h"
#include "stack/tcp/rack.h"
#include "stack/tcp/rack_tx_log.h"
#include "stack/tcp/recv_buffer.h"
#include "stack/tcp/reordering.h"
#include "stack/tcp/rtt_estimator.h"
#include "stack/tcp/sack_history.h"
#include "stack/tcp/sack_scoreboard.h"
#include "stack/tcp/segment.h"
#include "stack/tcp/send_buffer.h"
#include "stack/tcp/tcp_layer.h"
#include "stack/tcp/timers.h"
#include "stack/tcp/types.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace tcpaas::tcp {

// What a connection uses from the layer that owns it. All pointers outlive the connection.
struct ConnectionContext {
  const TcpConfig* config = nullptr;
  ip::IpSender* ip = nullptr;
  StackCounters* counters = nullptr;
  EventQueue* events = nullptr;
  ChallengeAckLimiter* challenge_acks = nullptr;
};

class Connection {
 public:
  struct Identity {
    ConnId id;
    FourTuple tuple;
    SeqNum iss;          // RFC 6528
    uint32_t ts_offset;  // added to the clock for our TSvals (RFC 7323 §5.4)
  };
  Connection(ConnectionContext* ctx, const Identity& identity, const ConnectionOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // --- Opening -------------------------------------------------------------------------
  // Active open (RFC 9293 §3.10.1): sends the SYN and enters SYN-SENT. Returns the IP
  // layer's error if the SYN could not be sent at all (e.g. no route).
  absl::Status Open(Instant now);
  // Passive open: `syn` reached the listener `listener` (RFC 9293 §3.10.7.2). Sends the
  // SYN-ACK and enters SYN-RECEIVED.
  void AcceptSyn(const Segment& syn, ListenerId listener, Instant now);

  // --- Driving -------------------------------------------------------------------------
  void OnSegment(const Segment& seg, Instant now);
  // An ICMP error quoting one of our segments with sequence number `quoted_seq`.
  void OnIcmpError(const ip::IcmpError& error, SeqNum quoted_seq, Instant now);
  // Runs every timer due at `now`.
  void OnTimers(Instant now);
  Instant NextDeadline() const { return timers_.Earliest(); }

  // --- User calls (see TcpLayer for their contracts) ---------------------------------------
  // `more`: the caller has more data coming at once (MSG_MORE): a partial segment waits.
  absl::StatusOr<size_t> Send(absl::Span<const uint8_t> data, bool more, Instant now);
  absl::StatusOr<RecvResult> Recv(absl::Span<uint8_t> out, Instant now);
  absl::Status ShutdownWrite(Instant now);
  // Releases the user's handle (BSD close()): FIN after queued data, or RST when received
  // data was left unread.
  void Close(Instant now);
  // Releases the handle with nothing sent (the first half of Close() and of an abort).
  void ReleaseHandle() {
    owned_ = false;
    read_closed_ = true;
  }
  // Sends RST where RFC 9293 §3.10.5 says so and enters CLOSED with `reason`.
  void Abort(CloseReason reason, Instant now);
  void SetNoDelay(bool no_delay, Instant now);
  void SetCork(bool cork, Instant now);
  // Options on an open connection (see TcpLayer for their contracts; arguments are valid).
  void SetSendBufferSize(size_t bytes);
  void SetRecvBufferSize(size_t bytes, Instant now);
  void SetUserTimeout(Duration timeout, Instant now);
  void SetKeepalive(const KeepaliveSettings& keepalive, Instant now);
  // The options as they are now (buffer sizes, timeouts and flags set since included).
  const ConnectionOptions& options() const { return options_; }
  TcpStats Stats() const;
  size_t SendSpace() const;
  size_t RecvAvailable() const { return recv_buffer_.readable(); }

  // --- For the layer -------------------------------------------------------------------
  ConnId id() const { return id_; }
  const FourTuple& tuple() const { return tuple_; }
  TcpState state() const { return state_; }
  // True while a user holds the handle (events are raised only then).
  bool owned() const { return owned_; }
  // A passive connection is handed to the user by Accept(): raises the events the user
  // missed (kEstablished, and kReadable / kPeerFin if data or a FIN is already waiting).
  void OnAccepted();
  // The listener a passive connection came from, until it is accepted (invalid otherwise).
  ListenerId listener() const { return listener_; }
  void DetachFromListener() { listener_ = ListenerId{}; }
  // RFC 6191 / RFC 1122 §4.2.2.13: a SYN for a tuple in TIME-WAIT may start a new incarnation
  // if it is clearly newer (timestamp or sequence number above the old one).
  bool AcceptsNewIncarnation(const Segment& syn) const;
  // Ends TIME-WAIT early for such a new incarnation: the connection becomes CLOSED.
  void CloseTimeWait();

 private:
  // --- connection_input.cc: RFC 9293 §3.10.7 ----------------------------------------------
  void OnSegmentInSynSent(const Segment& seg, Instant now);
  // The "otherwise" sequence: each step returns false when the segment is finished with.
  bool CheckSequence(Segment& seg, Instant now);  // first check, PAWS, trimming
  bool CheckReset(const Segment& seg, Instant now);
  bool CheckSyn(const Segment& seg, Instant now);
  bool CheckAck(const Segment& seg, Instant now);  // in connection_ack.cc
  void ProcessText(const Segment& seg, Instant now);
  // In-order data arrived: RFC 5681 §4.2 / Linux's ACK policy decides between an ACK now
  // and a delayed one.
  void ScheduleAckForData(size_t len, size_t advanced, Instant now);
  // Linux tcp_incr_quickack / tcp_enter_quickack_mode.
  void IncreaseQuickAcks();
  void EnterQuickAckMode();
  bool InQuickAckMode() const { return quick_acks_ > 0 && !pingpong_; }
  // The peer's segment size as far as seen (Linux icsk_ack.rcv_mss).
  uint32_t RcvMss() const;
  void ProcessFin(Instant now);
  // Shared by SYN-SENT and SYN-RECEIVED: the handshake completed.
  void EnterEstablished(Instant now);
  // RFC 7323 §4.3: TS.Recent update once a segment is known to be acceptable.
  void UpdateTsRecent(const Segment& seg, Instant now);
  void ApplyNegotiated(const Negotiated& n);
  bool PawsRejects(const Segment& seg, Instant now) const;

  // --- connection_ack.cc --------------------------------------------------------------
  // SND.UNA moved forward to `ack`: frees the send buffer, samples the RTT, runs NewReno.
  void OnNewAck(const Segment& seg, Instant now);
  void OnDuplicateAck(Instant now);
  void UpdateSendWindow(const Segment& seg);
  void SampleRtt(const Segment& seg, SeqNum prior_una, Instant now);
  void RecordRttSample(Duration rtt, Instant now);
  void OnOurFinAcked(Instant now);
  bool IsDuplicateAck(const Segment& seg) const;

  // --- connection_output.cc -------------------------------------------------------------
  // How the last, partial segment of queued data is treated by one Output() call.
  enum class PushMode : uint8_t {
    kNormal,  // Nagle and TCP_CORK apply
    kMore,    // held for more data (a Send() with `more`, i.e. MSG_MORE)
    kForce,   // sent at once, whatever Nagle and cork say (Linux TCP_NAGLE_PUSH)
  };
  // Sends whatever the state, the windows, Nagle, cork and the ACK policy allow now.
  void Output(Instant now, PushMode mode = PushMode::kNormal);
  struct DataSegment {
    SeqNum seq;
    size_t len = 0;
    bool fin = false;
  };
  // The data/FIN segment the send rules allow from `nxt` if SND.NXT were `nxt` and SND.MAX
  // `max` (so a burst can look one segment ahead to place PSH); nullopt when none may go.
  // Sets *cwnd_blocked when the congestion window is what held data back.
  // `cwnd_room`, when given, replaces the room cwnd leaves (loss recovery counts pipe).
  std::optional<DataSegment> PlanDataSegment(SeqNum nxt, SeqNum max, PushMode mode,
                                             bool* cwnd_blocked,
                                             std::optional<size_t> cwnd_room = std::nullopt) const;
  // RFC 5681 §4.1: cwnd restart before new data after an idle RTO.
  void MaybeRestartAfterIdle(Instant now);
  // Linux tcp_cwnd_validate / tcp_is_cwnd_limited (RFC 7661): whether cwnd limits sending.
  void ValidateCwnd(bool cwnd_limited);
  bool IsCwndLimited() const;
  // Retransmits the first unacknowledged segment, whatever the windows (RTO, fast
  // retransmit, partial ACKs).
  void RetransmitHead(RetransmitKind kind, Instant now);
  // Retransmits up to `max_len` bytes from `seq` (below SND.MAX), with the FIN if they end
  // where it is. Returns the sequence space sent (0 when nothing was).
  uint32_t RetransmitFrom(SeqNum seq, size_t max_len, RetransmitKind kind, Instant now);
  // Builds and sends one segment: data [seq, seq + len) from the send buffer, with SYN/FIN
  // as given by `flags`. Updates snd_nxt_/snd_max_ and the timers and counters.
  // A segment that starts before snd_max_ is a retransmission, counted under `kind`.
  void TransmitSegment(SeqNum seq, size_t len, uint8_t flags, RetransmitKind kind, Instant now);
  absl::Status SendSyn(Instant now);  // SYN or SYN-ACK for the current state
  void SendAck(Instant now);
  // Payload [left, right) arrived a second time: report it in the next ACK (RFC 2883 §4).
  // `extend`: a further duplicate in the same segment, which only widens an adjacent or
  // overlapping block already noted (Linux tcp_dsack_extend); otherwise it replaces it.
  void NoteDuplicateData(SeqNum left, SeqNum right, bool extend = false);
  // RFC 3522 §3.2 on the first ACK of new data after a timeout: was the timeout spurious?
  // If so, RFC 4015 undoes its congestion response.
  void CheckSpuriousTimeout(const Segment& seg);
  void SendChallengeAck(Instant now);
  void SendReset(Instant now);
  void SendProbe(Instant now);  // <SEQ=SND.UNA-1><ACK>: zero-window and keepalive probes
  // Fills ACK, window, timestamps and SACK blocks; records what we advertised.
  void FillAckFields(wire::TcpHeader& h, Instant now);
  uint16_t WindowToAdvertise();
  // True when a window update is worth an ACK after the user read data, given the window
  // we could have offered before the read (RFC 9293 §3.8.6.2.2).
  bool WindowUpdateWorthSending(uint32_t offerable_before_read) const;
  // The free receive space we could advertise now (no SWS rule applied).
  uint32_t OfferableWindow() const;
  uint32_t AdvertisableWindowBytes() const;
  // Our largest payload in a segment whose options take `option_bytes`.
  size_t SegmentSizeFor(size_t option_bytes) const;
  // Lowers snd_mss_ to what the IP layer's current path MTU allows.
  void FollowPathMtu();
  size_t OptionBytesForData() const;
  size_t MaxSackBlocks() const;
  uint32_t TsVal(Instant now) const;
  void UpdatePersistTimer(Instant now);
  void NoteAckSent();

  // --- connection_reordering.cc: tcpi_reordering ------------------------------------------
  // Linux's "fack" for SND.UNA `una`: the end of the highest SACKed segment, `una` when
  // nothing is SACKed.
  SeqNum Fack(SeqNum una) const;
  // The lowest never-retransmitted segment an ACK of `ack` delivered starts at `low`, below
  // Fack() before the ACK: raises reordering_ (Linux's tcp_check_sack_reordering). RackOnAck
  // finds `low` among the records the ACK delivered.
  void NoteLateDelivery(SeqNum low, SeqNum ack);

  // --- connection_sack.cc: SACK-based loss recovery (RFC 6675, RFC 9937) -------------------
  // RFC 6675 §5 Update(): records the SACK blocks of `seg` (and forgets what its ACK
  // covers). Returns the bytes SACKed for the first time; *dsack tells whether it carried a
  // D-SACK (RFC 2883).
  uint32_t UpdateScoreboard(const Segment& seg, bool* dsack);
  // After the ACK was processed: enters recovery when RFC 6675 §5 says so, and in recovery
  // sets cwnd by PRR (RFC 9937) for the bytes this ACK delivered.
  void OnSackAck(SeqNum prior_una, uint32_t sacked_before, Instant now);
  // `delivered`: DeliveredData of the ACK that starts recovery (0 when the reorder timer does).
  void EnterSackRecovery(Instant now, uint32_t delivered = 0);
  // The RFC 6675 §5 step (C) loop: retransmissions chosen by NextSeg() and new data, while
  // cwnd - pipe allows. Used in SACK recovery and after a timeout with SACK.
  void SendFromScoreboard(PushMode mode, Instant now);
  bool ScoreboardSending() const { return sack_enabled_ && (sack_recovery_ || in_loss_); }
  // RFC 6675 SetPipe() with RACK's loss marks (RFC 8985 §3): unSACKed bytes in flight, lost
  // ones left out, retransmissions counted.
  uint32_t Pipe() const;

  // --- connection_rack.cc: RACK-TLP loss detection (RFC 8985) ------------------------------
  // §6.2 steps 1-4 for one ACK (after the scoreboard took its SACK blocks, before SND.UNA
  // moves): feeds RACK the segments it delivered. `prior_fack`: Fack() before the ACK, for
  // tcpi_reordering.
  void RackOnAck(SeqNum ack, bool dsack, SeqNum prior_fack, Instant now);
  // §6.2 step 5: marks lost what RACK says is lost and arms the reordering timer for the
  // rest. Returns true when a segment was newly marked lost.
  bool RackDetectLoss(Instant now);
  // Enters recovery when RACK marked a segment lost and RFC 6675 allows a new episode.
  // Returns true when it entered.
  bool MaybeEnterRackRecovery(Instant now, uint32_t delivered = 0);
  void RetransmitFirstLost(Instant now);
  void OnRackReorderTimeout(Instant now);
  // §7.2: whether a loss probe may be scheduled now.
  bool TlpAllowed() const;
  Duration ProbeTimeout() const;
  // The PTO if TLP is allowed (§7.2), else the RTO (RFC 6298 §5.1).
  void ArmRetransmitOrProbe(Instant now);
  void OnLossProbeTimeout(Instant now);  // §7.3
  // §7.4: whether the ACK ends a TLP episode, and whether the probe repaired a loss.
  void TlpOnAck(const Segment& seg, bool dsack, bool advanced, bool sacked, Instant now);
  // Recovery (fast or after a timeout) ended: RACK's reordering window persistence.
  void OnLossEpisodeEnd();

  // --- connection_timers.cc ------------------------------------------------------------
  void OnRetransmitTimeout(Instant now);
  void OnPersistTimeout(Instant now);
  void OnKeepaliveTimeout(Instant now);
  void OnDelayedAckTimeout(Instant now);
  void ArmKeepalive(Instant now);
  void ArmRetransmitTimer(Instant now);
  void RestartUserTimeout(Instant now);

  // --- connection.cc: state changes -----------------------------------------------------
  void EnterClosed(CloseReason reason);
  void EnterTimeWait(Instant now);
  // Counts the connection's end and raises kClosed, once.
  void Finish(CloseReason reason);
  void Emit(TcpEventType type);
  // The reason a timeout closes with: kUnreachable if an ICMP soft error was seen.
  CloseReason TimeoutReason(CloseReason fallback) const;

  // The buffer size our SYN's window scale is computed from.
  size_t WindowScaleBytes() const;
  // Segments of SegmentSize() bytes in `bytes`, rounded up (TCP_INFO counts).
  uint32_t Segments(uint32_t bytes) const;
  TcpCaState CaState() const;

  // Sequence-space helpers.
  bool Synchronized() const;
  // The sequence number of our FIN (valid once fin_queued_).
  SeqNum FinSeq() const { return snd_buf_seq_ + static_cast<uint32_t>(send_buffer_.size()); }
  bool FinSent() const { return fin_queued_ && snd_max_ == FinSeq() + 1; }
  bool FinAcked() const { return fin_queued_ && snd_una_ == FinSeq() + 1; }
  // Data bytes not yet sent from snd_nxt_ on.
  size_t UnsentBytes() const;
  uint32_t FlightSize() const { return static_cast<uint32_t>(snd_max_ - snd_una_); }
  // The receive window we last advertised, counted from RCV.NXT.
  uint32_t AdvertisedWindowLeft() const;
  uint32_t SegmentSize() const {
    return static_cast<uint32_t>(SegmentSizeFor(OptionBytesForData()));
  }

  ConnectionContext* ctx_;
  const TcpConfig& config_;
  ConnId id_;
  FourTuple tuple_;
  ConnectionOptions options_;

  TcpState state_ = TcpState::kClosed;
  bool owned_ = true;
  bool passive_ = false;
  ListenerId listener_;
  CloseReason close_reason_ = CloseReason::kNormal;
  bool finished_ = false;     // Finish() ran: counted, kClosed raised
  bool soft_error_ = false;   // an ICMP soft error arrived (RFC 1122 §4.2.3.9)
  bool read_closed_ = false;  // the handle was released: arriving data is answered by RST

  // Send sequence space (RFC 9293 §3.3.1). snd_max_ is the highest sequence number sent;
  // snd_nxt_ falls back to snd_una_ after a retransmission timeout (go-back-N).
  SeqNum iss_;
  SeqNum snd_una_;
  SeqNum snd_nxt_;
  SeqNum snd_max_;
  SeqNum snd_wl1_;
  SeqNum snd_wl2_;
  SeqNum snd_buf_seq_;  // the sequence number of the send buffer's first byte
  uint32_t snd_wnd_ = 0;
  uint32_t max_snd_wnd_ = 0;  // RFC 5961 §5.2 MAX.SND.WND; sender SWS (RFC 9293 §3.8.6.2.1)
  SendBuffer send_buffer_;
  bool fin_queued_ = false;  // the user shut the write side: FIN follows the data
  // The end of the data the user pushed: the last Send() without `more` (Linux marks the
  // tail of each write for PSH). Segments ending beyond it carry no PSH.
  SeqNum push_mark_;
  bool cork_ = false;  // TCP_CORK: partial segments wait

  // Receive sequence space.
  SeqNum irs_;
  SeqNum rcv_nxt_;
  SeqNum rcv_adv_edge_;      // RCV.NXT + RCV.WND as last advertised; never moves left
  uint32_t syn_window_ = 0;  // the largest window our SYN or SYN-ACK announced
  ReceiveBuffer recv_buffer_;
  bool fin_received_ = false;
  std::optional<SeqNum> pending_fin_;  // a FIN that arrived out of order

  // Negotiated options.
  SynOffer offer_;
  uint16_t local_mss_ = 0;  // the MSS we announced
  uint16_t peer_mss_ = kDefaultSendMss;
  uint16_t snd_mss_ = kDefaultSendMss;  // the MSS we send with (no options counted)
  uint8_t snd_wscale_ = 0;
  uint8_t rcv_wscale_ = 0;
  bool ts_enabled_ = false;
  bool sack_enabled_ = false;

  // Timestamps (RFC 7323 §3-§5).
  uint32_t ts_offset_;
  uint32_t ts_recent_ = 0;
  Instant ts_recent_stamp_;
  SeqNum last_ack_sent_;

  // ACK generation.
  bool ack_now_ = false;
  uint32_t rx_bytes_unacked_ = 0;  // in-order payload received since our last ACK
  uint32_t rcv_mss_estimate_ = 0;  // largest payload seen from the peer
  // Quick ACKs (Linux's quickack mode, see connection_input.cc): this many ACKs go out at
  // once, unless the connection is in ping-pong (interactive) mode.
  uint32_t quick_acks_ = 0;
  bool pingpong_ = false;
  bool data_seen_ = false;                     // in-order data has arrived at least once
  Instant last_data_recv_ = Instant::Never();  // last in-order data (or the handshake)
  SackHistory sack_history_;
  // RFC 2883: the duplicate the next ACK reports as a D-SACK block (once, then cleared).
  std::optional<wire::SackBlock> dsack_;
  Instant last_oow_ack_ = Instant::Never();  // last ACK for an out-of-window pure ACK

  // RTT and retransmission (RFC 6298).
  RttEstimator rtt_;
  bool rtt_timing_ = false;  // timing one segment (no timestamps needed; Karn's rule)
  SeqNum rtt_seq_;           // the timed segment ends here
  Instant rtt_sent_at_;
  int rto_retries_ = 0;   // consecutive expirations without progress
  bool in_loss_ = false;  // after an RTO, until SND.UNA passes recover_ (TCP_CA_Loss)
  SeqNum retrans_high_;   // the end of the highest retransmission sent

  // Congestion control and NewReno loss recovery (RFC 5681, RFC 6582, RFC 3042).
  std::unique_ptr<CongestionControl> cc_;
  // Eifel detection (RFC 3522) of a spurious timeout: the TSval of the first timeout
  // retransmission of an episode, and the congestion state from before that timeout.
  std::optional<uint32_t> eifel_retransmit_ts_;
  std::unique_ptr<CongestionControl> cc_before_timeout_;
  // SND.MAX when the current round began (RFC 9406 §4.2 rounds, for HyStart++).
  std::optional<SeqNum> round_end_;
  bool cwnd_limited_ = false;  // ValidateCwnd(): cwnd was used up in the current window
  uint32_t max_flight_ = 0;    // the largest flight of the current window
  SeqNum cwnd_usage_seq_;      // the current window ends when SND.UNA reaches this
  uint32_t dupacks_ = 0;
  // SND.MAX when the first duplicate ACK of a series came, before limited transmit sent
  // more: the FlightSize that ssthresh is computed from (RFC 5681 §3.2 step 2).
  SeqNum flight_end_before_limited_transmit_;
  bool in_recovery_ = false;
  bool partial_ack_seen_ = false;
  SeqNum recover_;
  Instant last_data_sent_ = Instant::Never();

  // SACK-based loss recovery (RFC 6675) with PRR (RFC 9937), when SACK was negotiated.
  SackScoreboard scoreboard_;
  bool sack_recovery_ = false;        // in_recovery_ was entered by RFC 6675 rules
  SeqNum high_rxt_;                   // RFC 6675 HighRxt + 1: end of the highest retransmission
  std::optional<SeqNum> rescue_rxt_;  // RFC 6675 RescueRxt (undefined until rule 4 is used)
  ProportionalRateReduction prr_;
  ReorderingDegree reordering_;  // tcpi_reordering

  // RACK-TLP (RFC 8985), with SACK.
  TxLog tx_log_;  // every data segment in flight: transmit time, retransmitted, lost
  Rack rack_;
  std::optional<SeqNum> tlp_end_seq_;  // §7.3 TLP.end_seq (nullopt: no episode)
  bool tlp_is_retrans_ = false;        // §7.3 TLP.is_retrans
  uint32_t tlp_flight_ = 0;            // FlightSize when the probe went (for §7.4's response)
  bool sending_probe_ = false;         // inside OnLossProbeTimeout()

  // Persist (zero window) and keepalive.
  int persist_backoff_ = 0;
  int probes_unanswered_ = 0;
  int keepalive_probes_sent_ = 0;
  Instant last_received_;

  TimerSet timers_;
  TcpStats stats_;  // the counters of TcpStats; the rest is filled by Stats()
};

}  // namespace tcpaas::tcp

#endif  // TCPAAS_STACK_TCP_CONNECTION_H_
