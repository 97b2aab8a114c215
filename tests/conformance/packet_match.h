// Does a segment the stack sent match a '>' line? The checks and their order follow
// packetdrill's verify_outbound_live_packet(): data offset, each flag, reserved bits, seq,
// ack, window (only when the script gives one), urgent pointer, options in order (TS val only
// with --tcp_ts_tick_usecs, TS ecr never), payload length and contents (zeros), ECN bits.
#ifndef TCPAAS_TESTS_CONFORMANCE_PACKET_MATCH_H_
#define TCPAAS_TESTS_CONFORMANCE_PACKET_MATCH_H_

#include <optional>
#include <string>

#include "stack/base/time.h"
#include "tests/conformance/script.h"
#include "tests/conformance/segment_codec.h"

namespace tcpaas::conformance {

// nullopt when `actual` (with numbers already in script space) matches `script`; else the
// first difference as "<field>: expected X, got Y".
std::optional<std::string> CompareOutbound(const PacketSpec& script, const ObservedSegment& actual,
                                           Duration ts_tick, Duration tolerance);

// A script packet back in script syntax: "S. 0:0(0) ack 1 win 257 <mss 1460,nop,wscale 8>".
std::string FormatScriptPacket(const PacketSpec& p);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_PACKET_MATCH_H_
