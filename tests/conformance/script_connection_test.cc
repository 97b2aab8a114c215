#include "tests/conformance/script_connection.h"

#include <string>
#include <variant>

#include "gtest/gtest.h"
#include "stack/wire/endian.h"
#include "tests/conformance/parser.h"

namespace tcpaas::conformance {
namespace {

const Ipv4Address kLocal = Ipv4Address::FromOctets(198, 18, 0, 2);
const Ipv4Address kRemote = Ipv4Address::FromOctets(198, 18, 0, 1);

PacketSpec Packet(const std::string& line) {
  absl::StatusOr<Script> s = ParseScript("0 " + line + "\n", "t.pkt");
  EXPECT_TRUE(s.ok()) << s.status();
  return std::get<PacketSpec>(s->events.at(0).action);
}

ObservedSegment Live(Port src, Port dst, uint32_t seq, const char* flags, uint32_t ts_val) {
  ObservedSegment s;
  s.src = kLocal;
  s.dst = kRemote;
  s.src_port = src;
  s.dst_port = dst;
  s.seq = seq;
  s.flags = ParseFlags(flags).flags;
  s.options = {{8, std::vector<uint8_t>(8, 0)}};
  wire::Store32(s.options[0].data.data(), ts_val);
  return s;
}

// Passive open: our ISN comes from the SYN-ACK; later ACK numbers and TS ecr values in the
// script are mapped to live ones, and live TS vals back to script ones.
TEST(ScriptConnectionTest, PassiveOpenMapsOurSequenceSpaceAndTimestamps) {
  ScriptConnection c(kLocal, kRemote, Port(8080));
  c.OnListen(Port(8080));
  absl::StatusOr<SegmentFields> syn = c.MapInbound(
      Packet("< S 0:0(0) win 100 <mss 1000,sackOK,TS val 5 ecr 0,nop,wscale 7>"), false);
  ASSERT_TRUE(syn.ok()) << syn.status();
  EXPECT_EQ(syn->dst_port, Port(8080));
  const Port remote_port = syn->src_port;
  EXPECT_EQ(c.state(), ScriptConnection::State::kPassiveOpened);

  const PacketSpec synack =
      Packet("> S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 5,nop,wscale 3>");
  ASSERT_TRUE(c.PrepareOutbound(synack).ok());
  const ObservedSegment live = Live(Port(8080), remote_port, 5000, "S.", 777);
  ASSERT_TRUE(c.Claims(live));
  const ObservedSegment mapped = c.ToScriptSpace(synack, live);
  EXPECT_EQ(mapped.seq, 0u);
  EXPECT_EQ(wire::Load32(mapped.options[0].data.data()), 100u);

  absl::StatusOr<SegmentFields> ack = c.MapInbound(
      Packet("< . 1:1(0) ack 1 win 100 <sack 1:11,nop,nop,nop,nop,TS val 6 ecr 100>"), false);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->ack, 5001u);
  EXPECT_EQ(wire::Load32(ack->options.data() + 2), 5001u);  // SACK left edge
  EXPECT_EQ(wire::Load32(ack->options.data() + 20), 777u);  // TS ecr

  EXPECT_FALSE(c.Claims(Live(Port(8080), Port(1), 5001, ".", 0)));  // another connection
  EXPECT_FALSE(
      c.MapInbound(Packet("< . 1:1(0) ack 1 win 100 <nop,nop,TS val 7 ecr 55>"), false).ok());
  EXPECT_TRUE(
      c.MapInbound(Packet("< . 1:1(0) ack 1 win 100 <nop,nop,TS val 7 ecr 55>"), true).ok());
}

// Active open: the SYN that answers connect() teaches the local port and our ISN.
TEST(ScriptConnectionTest, ActiveOpenLearnsPortAndIsnFromTheSyn) {
  ScriptConnection c(kLocal, kRemote, Port(8080));
  EXPECT_FALSE(c.PrepareOutbound(Packet("> . 1:1(0) ack 1")).ok());  // no socket yet
  c.OnConnect({kRemote, Port(8080)});
  const PacketSpec syn = Packet("> S 0:0(0) <...>");
  ASSERT_TRUE(c.PrepareOutbound(syn).ok());
  ObservedSegment live = Live(Port(40000), Port(8080), 90000, "S", 1);
  live.options.clear();
  ASSERT_TRUE(c.Claims(live));
  EXPECT_EQ(c.local().port, Port(40000));
  EXPECT_EQ(c.ToScriptSpace(syn, live).seq, 0u);
  absl::StatusOr<SegmentFields> synack = c.MapInbound(Packet("< S. 0:0(0) ack 1 win 100"), false);
  ASSERT_TRUE(synack.ok());
  EXPECT_EQ(synack->ack, 90001u);
  EXPECT_EQ(synack->dst_port, Port(40000));
  EXPECT_EQ(c.state(), ScriptConnection::State::kSynAcked);
}

}  // namespace
}  // namespace tcpaas::conformance
