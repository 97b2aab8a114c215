#include "tests/conformance/parser.h"

#include <string>
#include <variant>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace tcpaas::conformance {
namespace {

Script MustParse(absl::string_view text) {
  absl::StatusOr<Script> s = ParseScript(text, "t.pkt");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : Script();
}

const PacketSpec& PacketAt(const Script& s, size_t i) {
  return std::get<PacketSpec>(s.events.at(i).action);
}
const SyscallSpec& SyscallAt(const Script& s, size_t i) {
  return std::get<SyscallSpec>(s.events.at(i).action);
}

TEST(ParseSecondsTest, ExactDecimalSeconds) {
  struct Case {
    std::string text;
    int64_t nanos;
  } cases[] = {{"0", 0},          {".1", 100000000},   {"0.200", 200000000},
               {"3", 3000000000}, {".215", 215000000}, {"1.000001", 1000001000}};
  for (const Case& c : cases) {
    absl::StatusOr<Duration> d = ParseSeconds(c.text);
    ASSERT_TRUE(d.ok()) << c.text;
    EXPECT_EQ(d->nanos(), c.nanos) << c.text;
  }
  EXPECT_FALSE(ParseSeconds("-1").ok());
}

TEST(ParserTest, EventTimes) {
  Script s = MustParse(
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+.1 > S 0:0(0) <...>\n"
      "* > . 1:1(0) ack 1\n"
      "0.5~0.6 > . 1:1(0) ack 1\n"
      "+.21~+.215 > P. 1:41(40) ack 1\n");
  ASSERT_EQ(s.events.size(), 5u);
  EXPECT_EQ(s.events[0].time.kind, TimeKind::kAbsolute);
  EXPECT_EQ(s.events[1].time.kind, TimeKind::kRelative);
  EXPECT_EQ(s.events[1].time.start, Duration::Millis(100));
  EXPECT_EQ(s.events[2].time.kind, TimeKind::kAny);
  EXPECT_EQ(s.events[3].time.kind, TimeKind::kAbsoluteRange);
  EXPECT_EQ(s.events[3].time.end, Duration::Millis(600));
  EXPECT_EQ(s.events[4].time.kind, TimeKind::kRelativeRange);
  EXPECT_EQ(s.events[4].time.start, Duration::Millis(210));
  EXPECT_EQ(s.events[4].time.end, Duration::Millis(215));
  EXPECT_EQ(s.events[4].location.line, 5);
}

TEST(ParserTest, TcpPacketFields) {
  Script s = MustParse(
      "0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>\n"
      "+0 > S. 0:0(0) ack 1 <...>\n"
      "+0 < [ect0] P. 1:1001(1000) ack 1 win 257 <sack 1:2 3:4,nop, eol>\n"
      "+0 < - 1:1(0) win 0\n"
      "+0 < 8080>9090 F. 1:1(0) ack 1 win 9 urg 0\n");
  const TcpSegmentSpec& syn = PacketAt(s, 0).tcp;
  EXPECT_EQ(PacketAt(s, 0).direction, Direction::kInbound);
  EXPECT_EQ(syn.flags, "S");
  EXPECT_EQ(syn.window, 32792u);
  EXPECT_FALSE(syn.ack.has_value());
  ASSERT_EQ(syn.options.size(), 5u);
  EXPECT_EQ(syn.options[0].kind, TcpOptionSpec::Kind::kMss);
  EXPECT_EQ(syn.options[0].value, 1000u);
  EXPECT_EQ(syn.options[1].kind, TcpOptionSpec::Kind::kSackPermitted);
  EXPECT_EQ(syn.options[2].kind, TcpOptionSpec::Kind::kTimestamp);
  EXPECT_EQ(syn.options[2].ts_val, 100u);
  EXPECT_EQ(syn.options[4].kind, TcpOptionSpec::Kind::kWindowScale);
  EXPECT_EQ(syn.options[4].value, 7u);

  const PacketSpec& synack = PacketAt(s, 1);
  EXPECT_EQ(synack.direction, Direction::kOutbound);
  EXPECT_EQ(synack.tcp.options_kind, OptionsSpec::kWildcard);
  EXPECT_EQ(synack.tcp.ack, 1u);

  const PacketSpec& data = PacketAt(s, 2);
  EXPECT_EQ(data.ip.ecn, EcnSpec::kEct0);
  EXPECT_EQ(data.tcp.payload_len, 1000u);
  EXPECT_EQ(data.tcp.seq_end, 1001u);
  ASSERT_EQ(data.tcp.options.size(), 3u);
  EXPECT_EQ(data.tcp.options[0].kind, TcpOptionSpec::Kind::kSack);
  EXPECT_EQ(data.tcp.options[0].sack_blocks.size(), 2u);
  EXPECT_EQ(data.tcp.options[2].kind, TcpOptionSpec::Kind::kEol);

  EXPECT_EQ(PacketAt(s, 3).tcp.flags, "");
  EXPECT_EQ(PacketAt(s, 3).tcp.options_kind, OptionsSpec::kNone);
  ASSERT_TRUE(PacketAt(s, 4).ports.has_value());
  EXPECT_EQ(PacketAt(s, 4).ports->second, 9090u);
  EXPECT_EQ(PacketAt(s, 4).tcp.urgent, 0u);
}

TEST(ParserTest, UnknownAndFastOpenOptionsAreKept) {
  Script s = MustParse("0 < S 0:0(0) win 100 <mss 1460,FO abcd,exp 1 2,md5 00ff>\n");
  const TcpSegmentSpec& tcp = PacketAt(s, 0).tcp;
  ASSERT_EQ(tcp.options.size(), 4u);
  EXPECT_EQ(tcp.options[1].kind, TcpOptionSpec::Kind::kFastOpen);
  EXPECT_EQ(tcp.options[1].text, "abcd");
  EXPECT_EQ(tcp.options[2].kind, TcpOptionSpec::Kind::kUnknown);
  EXPECT_EQ(tcp.options[2].text, "exp 1 2");
  EXPECT_EQ(tcp.options[3].kind, TcpOptionSpec::Kind::kMd5);
}

TEST(ParserTest, SyscallsWithExpressionsErrnoAndNotes) {
  Script s = MustParse(
      "0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
      "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
      "+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)\n"
      "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
      "+.1...0.200 connect(3, ..., ...) = 0\n"
      "+0 sendmsg(4, {msg_name(...)=...,\n"
      "              msg_iov(1)=[{..., 40}], msg_flags=0}, MSG_MORE) = 40\n"
      "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
      "+0 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 0) = 1\n"
      "+0 write(4, \"ab\" \"cd\"..., 4) = 4\n");
  ASSERT_EQ(s.events.size(), 9u);
  const SyscallSpec& so = SyscallAt(s, 0);
  EXPECT_EQ(so.name, "setsockopt");
  ASSERT_EQ(so.args.size(), 5u);
  EXPECT_EQ(so.args[3].kind, Expression::Kind::kList);
  EXPECT_EQ(so.args[3].items.at(0).integer, 1);

  const SyscallSpec& conn = SyscallAt(s, 1);
  EXPECT_EQ(conn.result.integer, -1);
  EXPECT_EQ(conn.errno_name, "EINPROGRESS");
  EXPECT_EQ(conn.note, "Operation now in progress");

  EXPECT_TRUE(SyscallAt(s, 2).result.hex);
  EXPECT_EQ(SyscallAt(s, 2).note, "flags O_RDWR");
  EXPECT_EQ(SyscallAt(s, 3).args[2].kind, Expression::Kind::kBitOr);
  EXPECT_EQ(SyscallAt(s, 3).args[2].ToString(), "O_RDWR|O_NONBLOCK");

  ASSERT_TRUE(SyscallAt(s, 4).end_time.has_value());
  EXPECT_EQ(*SyscallAt(s, 4).end_time, Duration::Millis(200));
  EXPECT_EQ(s.events[4].time.start, Duration::Millis(100));

  const Expression& msg = SyscallAt(s, 5).args.at(1);
  EXPECT_EQ(msg.kind, Expression::Kind::kStruct);
  EXPECT_EQ(msg.ToString(), "{msg_name(...)=..., msg_iov(1)=[{..., 40}], msg_flags=0}");
  EXPECT_EQ(SyscallAt(s, 6).args[4].ToString(), "[4]");
  EXPECT_EQ(SyscallAt(s, 7).args[0].ToString(), "[{fd=4, events=POLLIN, revents=POLLIN}]");
  EXPECT_EQ(SyscallAt(s, 8).args[1].text, "abcd");
  EXPECT_TRUE(SyscallAt(s, 8).args[1].string_ellipsis);
}

TEST(ParserTest, OptionsCommandsAndCode) {
  Script s = MustParse(
      "--tolerance_usecs=10000\n"
      "--strict_segments\n"
      "--local_ip=fd::1\n"
      "`../common/defaults.sh\n sysctl -q x=1`\n"
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0 `tc qdisc replace dev tun0 root pfifo limit 0`\n"
      "+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%\n"
      "`/tmp/sysctl_restore_${PPID}.sh`\n");
  ASSERT_EQ(s.options.size(), 3u);
  EXPECT_EQ(s.options[0].name, "tolerance_usecs");
  EXPECT_EQ(s.options[0].value, "10000");
  EXPECT_FALSE(s.options[1].value.has_value());
  EXPECT_EQ(s.options[2].value, "fd::1");
  ASSERT_TRUE(s.init_command.has_value());
  EXPECT_EQ(s.init_command->text, "../common/defaults.sh\n sysctl -q x=1");
  EXPECT_EQ(s.init_location.line, 4);
  ASSERT_EQ(s.events.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<CommandSpec>(s.events[1].action));
  EXPECT_EQ(std::get<CodeSpec>(s.events[2].action).text,
            "assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd");
  ASSERT_TRUE(s.cleanup_command.has_value());
  EXPECT_EQ(s.cleanup_command->text, "/tmp/sysctl_restore_${PPID}.sh");
}

TEST(ParserTest, IcmpAndUdpPackets) {
  Script s = MustParse(
      "0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]\n"
      "+0 < udp (100)\n");
  const PacketSpec& icmp = PacketAt(s, 0);
  EXPECT_EQ(icmp.protocol, PacketSpec::Protocol::kIcmp);
  EXPECT_EQ(icmp.icmp.type, "unreachable");
  EXPECT_EQ(icmp.icmp.code, "frag_needed");
  EXPECT_EQ(icmp.icmp.mtu, 1200u);
  EXPECT_EQ(icmp.icmp.echoed_seq, 1u);
  EXPECT_EQ(icmp.icmp.echoed_len, 1460u);
  EXPECT_EQ(PacketAt(s, 1).udp_payload_len, 100u);
}

// Every error names path:line:column.
TEST(ParserTest, ErrorsNamePathLineAndColumn) {
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {"0 < S 0:1(0)\n", "t.pkt:1:7: inconsistent TCP sequence numbers and payload size"},
      {"0 socket() = 3\n* < . 1:1(0) win 1\n",
       "t.pkt:2:1: event time * can only be used with outbound"},
      {"0 < . 1:1(0) ack 1\n", "t.pkt:1:7: window must be specified for inbound packets"},
      {"0 > . 1:1(0) ack 1 <nop,mss 1>\n", "t.pkt:1:7: TCP options take 5 bytes"},
      {"0 < S 0:0(0) <...>\n", "t.pkt:1:14: <...> for TCP options can only be used with outbound"},
      {"0 < S 0:0(0) <mss 99999>\n", "t.pkt:1:19: mss value out of range: 99999"},
      {"0 socket() 3\n", "t.pkt:1:12: expected '=', got '3'"},
      {"0 < X 0:0(0)\n", "t.pkt:1:5: unknown TCP flag 'X'"},
      {"0 > S 0:0(0)\n+0 \"str\"\n", "t.pkt:2:4: expected a packet, a system call"},
      {"`a`\n", "t.pkt:2:1: the script has no events"},
      {"0 close(3) = 0\n`cleanup`\n+0 close(4) = 0\n", "t.pkt:3:1: a `command` without a time"},
      {"0.2~0.1 > . 1:1(0)\n", "t.pkt:1:9: time range is backwards"},
      {"0 < S 0:0(0)\n+0 write(3, \"x, 1) = 1\n", "t.pkt:2:13: unterminated string"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Script> s = ParseScript(c.text, "t.pkt");
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.status().message().substr(0, c.error.size()), c.error) << s.status();
  }
}

TEST(ParserTest, SequenceRangesMayWrap) {
  Script s = MustParse("0 < . 4294967000:4(300) ack 1 win 100\n");
  EXPECT_EQ(PacketAt(s, 0).tcp.seq_start, 4294967000u);
  EXPECT_EQ(PacketAt(s, 0).tcp.payload_len, 300u);
}

}  // namespace
}  // namespace tcpaas::conformance
