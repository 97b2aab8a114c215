#include "tests/conformance/packet_match.h"

#include <string>
#include <variant>

#include "gtest/gtest.h"
#include "tests/conformance/parser.h"

namespace tcpaas::conformance {
namespace {

PacketSpec Outbound(const std::string& line) {
  absl::StatusOr<Script> s = ParseScript("0 " + line + "\n", "t.pkt");
  EXPECT_TRUE(s.ok()) << s.status();
  return std::get<PacketSpec>(s->events.at(0).action);
}

// What the stack sent, already in script space: ". 1:1001(1000) ack 1 win 257 <nop,nop,TS>".
ObservedSegment Sent() {
  ObservedSegment s;
  s.seq = 1;
  s.ack = 1;
  s.flags = ParseFlags("P.").flags;
  s.window = 257;
  s.header_length = 32;
  s.options = {{1, {}}, {1, {}}, {8, {0, 0, 0, 100, 0, 0, 0, 7}}};
  s.payload.assign(1000, 0);
  return s;
}

// One field of the script line differs from Sent() per row.
TEST(PacketMatchTest, EachFieldIsChecked) {
  struct Case {
    std::string script;
    std::string mismatch;  // empty: matches
  } cases[] = {
      {"> P. 1:1001(1000) ack 1 <nop,nop,TS val 100 ecr 0>", ""},
      {"> P. 1:1001(1000) ack 1 win 257 <...>", ""},
      {"> . 1:1001(1000) ack 1 <nop,nop,TS val 100 ecr 0>", "tcp_psh: expected 0, got 1"},
      {"> FP. 1:1001(1000) ack 1 <nop,nop,TS val 100 ecr 0>", "tcp_fin: expected 1, got 0"},
      {"> P. 2:1002(1000) ack 1 <nop,nop,TS val 100 ecr 0>", "tcp_seq: expected 2, got 1"},
      {"> P. 1:1001(1000) ack 5 <nop,nop,TS val 100 ecr 0>", "tcp_ack_seq: expected 5, got 1"},
      {"> P. 1:1001(1000) ack 1 win 256 <...>", "tcp_window: expected 256, got 257"},
      {"> P. 1:1001(1000) ack 1", "tcp_data_offset: expected 5, got 8"},
      {"> P. 1:1001(1000) ack 1 <nop,nop,nop,nop,nop,nop,nop,nop,mss 1>",
       "TCP options: expected <nop,nop,"},
      {"> P. 1:1(0) ack 1 <...>", "payload length: expected 0, got 1000"},
      {"> [ect0] P. 1:1001(1000) ack 1 <...>", "ip_ecn: expected 2"},
  };
  for (const Case& c : cases) {
    std::optional<std::string> m =
        CompareOutbound(Outbound(c.script), Sent(), Duration::Zero(), Duration::Millis(4));
    if (c.mismatch.empty()) {
      EXPECT_FALSE(m.has_value()) << c.script << ": " << *m;
    } else {
      ASSERT_TRUE(m.has_value()) << c.script;
      EXPECT_EQ(m->substr(0, c.mismatch.size()), c.mismatch) << *m;
    }
  }
}

TEST(PacketMatchTest, TsValCheckedOnlyWithATick) {
  const PacketSpec p = Outbound("> P. 1:1001(1000) ack 1 <nop,nop,TS val 90 ecr 0>");
  EXPECT_FALSE(CompareOutbound(p, Sent(), Duration::Zero(), Duration::Millis(4)).has_value());
  EXPECT_TRUE(CompareOutbound(p, Sent(), Duration::Millis(1), Duration::Millis(4)).has_value());
  EXPECT_FALSE(CompareOutbound(p, Sent(), Duration::Millis(1), Duration::Millis(10)).has_value());
}

TEST(PacketMatchTest, NonZeroPayloadIsReported) {
  ObservedSegment s = Sent();
  s.payload[10] = 1;
  EXPECT_EQ(CompareOutbound(Outbound("> P. 1:1001(1000) ack 1 <...>"), s, Duration::Zero(),
                            Duration::Millis(4))
                .value_or(""),
            "incorrect outbound data payload (packetdrill writes zeros)");
}

TEST(PacketMatchTest, FormatScriptPacket) {
  EXPECT_EQ(FormatScriptPacket(Outbound("> S. 0:0(0) ack 1 win 5 <mss 1460,nop,wscale 8>")),
            "> S. 0:0(0) ack 1 win 5 <mss 1460,nop,wscale 8>");
}

}  // namespace
}  // namespace tcpaas::conformance
