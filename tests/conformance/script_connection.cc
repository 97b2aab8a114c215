#include "tests/conformance/script_connection.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "stack/wire/endian.h"
#include "stack/wire/tcp.h"

namespace tcpaas::conformance {
namespace {

namespace tf = wire::tcp_flags;

}  // namespace

void ScriptConnection::OnListen(Port port) {
  state_ = State::kListening;
  local_.port = port;
}

void ScriptConnection::OnConnect(Endpoint remote) {
  state_ = State::kConnecting;
  remote_ = remote;
  local_.port = Port(0);
  script_local_isn_.reset();
  live_local_isn_.reset();
}

uint32_t ScriptConnection::LocalOffset() const {
  if (!script_local_isn_ || !live_local_isn_) return 0;
  return *live_local_isn_ - *script_local_isn_;
}

void ScriptConnection::OpenForInbound() {
  if (state_ != State::kNone && state_ != State::kListening) return;
  // run_packet.c handle_listen_for_script_packet(): a new passive connection from a new
  // remote port.
  state_ = State::kPassiveOpened;
  remote_.port = Port(next_remote_port_++);
  script_local_isn_.reset();
  live_local_isn_.reset();
}

absl::StatusOr<SegmentFields> ScriptConnection::MapInbound(const PacketSpec& p,
                                                           bool ts_ecr_scaled) {
  const FlagBits flags = ParseFlags(p.tcp.flags);
  const bool syn = (flags.flags & tf::kSyn) != 0;
  const bool ack = (flags.flags & tf::kAck) != 0;
  if (state_ == State::kNone || state_ == State::kListening) {
    OpenForInbound();
  } else if (state_ == State::kSynSent && syn && ack) {
    state_ = State::kSynAcked;
  }

  SegmentFields f;
  f.src_port = p.ports ? Port(static_cast<uint16_t>(p.ports->first)) : remote_.port;
  f.dst_port = p.ports ? Port(static_cast<uint16_t>(p.ports->second)) : local_.port;
  f.seq = p.tcp.seq_start;  // the peer's numbers are live as written
  f.ack = p.tcp.ack.value_or(0) + (ack ? LocalOffset() : 0);
  f.flags = flags;
  f.window = static_cast<uint16_t>(p.tcp.window.value_or(0));
  f.urgent = static_cast<uint16_t>(p.tcp.urgent.value_or(0));
  f.payload_len = p.tcp.payload_len;

  std::vector<TcpOptionSpec> options = p.tcp.options;
  if (absl::Status st = ExtractDamage(&options, &f.damage); !st.ok()) return st;
  for (TcpOptionSpec& o : options) {
    if (o.kind == TcpOptionSpec::Kind::kSack) {
      for (auto& [left, right] : o.sack_blocks) {
        left += LocalOffset();
        right += LocalOffset();
      }
    } else if (o.kind == TcpOptionSpec::Kind::kTimestamp && ack) {
      // run_packet.c map_inbound_packet(): the echo of a script TS val is the live TS val.
      if (const auto it = ts_val_map_.find(o.ts_ecr); it != ts_val_map_.end()) {
        o.ts_ecr = it->second;
      } else if (ts_ecr_scaled && found_first_ts_) {
        o.ts_ecr = o.ts_ecr - first_script_ts_val_ + first_live_ts_val_;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("unable to infer live TS ecr for script TS ecr ", o.ts_ecr,
                         "; no matching or preceding outbound TS val"));
      }
    }
  }
  absl::StatusOr<std::vector<uint8_t>> encoded = EncodeOptions(options);
  if (!encoded.ok()) return encoded.status();
  f.options = *std::move(encoded);
  return f;
}

absl::Status ScriptConnection::PrepareOutbound(const PacketSpec& p) {
  const FlagBits flags = ParseFlags(p.tcp.flags);
  const bool syn = (flags.flags & tf::kSyn) != 0;
  const bool ack = (flags.flags & tf::kAck) != 0;
  if (syn && !ack && state_ == State::kConnecting) {
    state_ = State::kSynSent;
    script_local_isn_ = p.tcp.seq_start;
    live_local_isn_.reset();
    return absl::OkStatus();
  }
  if (syn && ack && state_ == State::kPassiveOpened) {
    script_local_isn_ = p.tcp.seq_start;
    awaiting_synack_isn_ = true;
    return absl::OkStatus();
  }
  if (state_ == State::kNone || state_ == State::kListening) {
    return absl::FailedPreconditionError("no matching socket for script packet");
  }
  return absl::OkStatus();
}

bool ScriptConnection::Claims(const ObservedSegment& s) {
  if (s.src == local_.addr && s.src_port == local_.port && s.dst == remote_.addr &&
      s.dst_port == remote_.port) {
    return true;
  }
  // run_packet.c find_connect_for_live_packet(): the SYN answering connect().
  const bool syn_only = (s.flags & tf::kSyn) != 0 && (s.flags & tf::kAck) == 0;
  if (state_ == State::kSynSent && syn_only && s.dst == remote_.addr &&
      s.dst_port == remote_.port) {
    local_.addr = s.src;
    local_.port = s.src_port;
    live_local_isn_ = s.seq;
    return true;
  }
  return false;
}

ObservedSegment ScriptConnection::ForDisplay(const ObservedSegment& live) const {
  ObservedSegment out = live;
  out.seq = live.seq - LocalOffset();
  return out;
}

ObservedSegment ScriptConnection::ToScriptSpace(const PacketSpec& script,
                                                const ObservedSegment& live) {
  if (awaiting_synack_isn_ && (live.flags & tf::kSyn) != 0) {
    live_local_isn_ = live.seq;
    awaiting_synack_isn_ = false;
    state_ = State::kSynAckSent;
  }
  ObservedSegment out = live;
  out.seq = live.seq - LocalOffset();
  // Our ACKs and SACK blocks name the peer's numbers, which are live as written.
  std::optional<uint32_t> script_ts_val;
  for (const TcpOptionSpec& o : script.tcp.options) {
    if (o.kind == TcpOptionSpec::Kind::kTimestamp) script_ts_val = o.ts_val;
  }
  for (RawOption& o : out.options) {
    if (o.kind != wire::kTcpOptTimestamps || o.data.size() != 8 || !script_ts_val) continue;
    const uint32_t live_val = wire::Load32(o.data.data());
    ts_val_map_[*script_ts_val] = live_val;
    if (!found_first_ts_) {
      found_first_ts_ = true;
      first_script_ts_val_ = *script_ts_val;
      first_live_ts_val_ = live_val;
    }
    wire::Store32(o.data.data(), first_script_ts_val_ + (live_val - first_live_ts_val_));
  }
  return out;
}

}  // namespace tcpaas::conformance
