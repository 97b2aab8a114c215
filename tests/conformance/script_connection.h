// packetdrill's "socket under test": the one connection the script's packets describe, with
// its live four-tuple and the offsets that turn script numbers into live ones and back.
//  - Sequence numbers on our side are relative to our ISN, learned from the first SYN or
//    SYN-ACK the stack sends; the peer's are injected as written.
//  - Outbound TS val is compared relative to the first one seen; an inbound TS ecr that
//    echoes a script TS val becomes the live TS val it stood for.
#ifndef TCPAAS_TESTS_CONFORMANCE_SCRIPT_CONNECTION_H_
#define TCPAAS_TESTS_CONFORMANCE_SCRIPT_CONNECTION_H_

#include <cstdint>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "stack/wire/addr.h"
#include "tests/conformance/script.h"
#include "tests/conformance/segment_codec.h"

namespace tcpaas::conformance {

class ScriptConnection {
 public:
  enum class State {
    kNone,           // nothing yet: an inbound packet opens a passive connection
    kListening,      // listen() was called: an inbound SYN opens a passive connection
    kPassiveOpened,  // an inbound packet created the connection
    kSynAckSent,     // our SYN-ACK was seen
    kConnecting,     // connect() was called
    kSynSent,        // the script's outbound SYN was reached
    kSynAcked,       // the peer's SYN-ACK was injected
  };

  // `bind_port`: where an inbound SYN goes when no listen() said otherwise.
  ScriptConnection(Ipv4Address local_ip, Ipv4Address remote_ip, Port bind_port)
      : local_{local_ip, bind_port}, remote_{remote_ip, Port(0)} {}

  State state() const { return state_; }
  const Endpoint& local() const { return local_; }
  const Endpoint& remote() const { return remote_; }

  // System calls that shape the connection under test.
  void OnListen(Port port);
  void OnConnect(Endpoint remote);

  // An inbound script packet as live segment fields (ports, sequence numbers, SACK blocks and
  // TS ecr mapped). Errors: a TS ecr that echoes no outbound TS val, or bad options.
  absl::StatusOr<SegmentFields> MapInbound(const PacketSpec& p, bool ts_ecr_scaled);

  // Before sniffing for an outbound script packet: notes the script's ISN on our side when the
  // packet is our SYN or SYN-ACK. Errors when no connection can send the packet.
  absl::Status PrepareOutbound(const PacketSpec& p);
  // Whether a segment the stack sent belongs to the connection under test; a SYN that answers
  // connect() teaches us the local port.
  bool Claims(const ObservedSegment& s);
  // `live` with its numbers in script space, for comparison with `script` (learns our ISN
  // and the timestamp baseline from the first segments).
  ObservedSegment ToScriptSpace(const PacketSpec& script, const ObservedSegment& live);
  // A sequence number of our side, from script space to live space.
  uint32_t LiveLocalSeq(uint32_t script_seq) const { return script_seq + LocalOffset(); }
  // An inbound packet not for TCP (ICMP) still opens the connection under test like a
  // segment would, so its addresses are known.
  void OpenForInbound();
  // `live` with only its sequence number made relative, for messages and traces.
  ObservedSegment ForDisplay(const ObservedSegment& live) const;

 private:
  uint32_t LocalOffset() const;  // live ISN - script ISN on our side; 0 until both known

  State state_ = State::kNone;
  Endpoint local_;
  Endpoint remote_;
  uint16_t next_remote_port_ = 48000;
  std::optional<uint32_t> script_local_isn_;
  std::optional<uint32_t> live_local_isn_;
  bool awaiting_synack_isn_ = false;                    // the script expects our SYN-ACK next
  absl::flat_hash_map<uint32_t, uint32_t> ts_val_map_;  // script TS val -> live TS val
  bool found_first_ts_ = false;
  uint32_t first_script_ts_val_ = 0;
  uint32_t first_live_ts_val_ = 0;
};

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_SCRIPT_CONNECTION_H_
