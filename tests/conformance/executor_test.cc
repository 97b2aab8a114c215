// The runner end to end against the real TCP layer: scripts that must pass, and scripts that
// must fail or be unsupported at a given line with a given reason, so every check the
// executor makes is seen to bite.
#include <cctype>
#include <ostream>
#include <string>

#include "gtest/gtest.h"
#include "tests/conformance/runner.h"

namespace tcpaas::conformance {
namespace {

// Lines 1-7: a passive open; the peer's MSS is 1000.
constexpr char kPassiveOpen[] =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>\n"
    "+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 3>\n"
    "+.01 < . 1:1(0) ack 1 win 257\n"
    "+0 accept(3, ..., ...) = 4\n";

struct Case {
  const char* name;
  std::string script;
  Verdict::Kind kind;
  int line;             // kFail only
  const char* message;  // a part of the verdict's message
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string Passive(const std::string& rest) { return kPassiveOpen + rest; }

const Case kCases[] = {
    {"data goes out", Passive("+0 write(4, ..., 100) = 100\n+0 > P. 1:101(100) ack 1\n"),
     Verdict::Kind::kPass, 0, ""},
    {"wrong SYN-ACK option",
     "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n"
     "+0 listen(3, 1) = 0\n+0 < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>\n"
     "+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 9>\n",
     Verdict::Kind::kFail, 5, "TCP options: expected <mss 1460,nop,wscale 9>"},
    {"wrong sequence number", Passive("+0 write(4, ..., 100) = 100\n+0 > P. 2:102(100) ack 1\n"),
     Verdict::Kind::kFail, 9, "tcp_seq: expected 2, got 1"},
    {"window checked when given",
     Passive("+0 write(4, ..., 100) = 100\n+0 > P. 1:101(100) ack 1 win 1\n"), Verdict::Kind::kFail,
     9, "tcp_window: expected 1"},
    {"packet too early", Passive("+0 write(4, ..., 100) = 100\n+.1 > P. 1:101(100) ack 1\n"),
     Verdict::Kind::kFail, 9, "timing error: expected outbound packet at 0.110000"},
    {"packet never sent", Passive("+0 > . 1:1(0) ack 1\n"), Verdict::Kind::kFail, 8, "got none"},
    {"segments add up to a larger script packet",
     Passive("+0 write(4, ..., 3000) = 3000\n+0 > P. 1:3001(3000) ack 1\n"), Verdict::Kind::kPass,
     0, ""},
    {"--strict_segments keeps them apart",
     "--strict_segments\n" + Passive("+0 write(4, ..., 3000) = 3000\n+0 > P. 1:3001(3000) ack 1\n"),
     Verdict::Kind::kFail, 10, "expected 3000 payload bytes, got 1000"},
    {"errno checked", Passive("+0 write(5, ..., 10) = -1 EPIPE (Broken pipe)\n"),
     Verdict::Kind::kFail, 8, "expected errno EPIPE, got EBADF"},
    {"result checked", Passive("+0 write(4, ..., 10) = 11\n"), Verdict::Kind::kFail, 8,
     "expected result 11, got 10"},
    {"a call that blocks needs an end time", Passive("+0 read(4, ..., 10) = 10\n"),
     Verdict::Kind::kFail, 8, "read() blocked"},
    {"blocking read ends when data arrives",
     Passive("+0...0.1 read(4, ..., 10) = 10\n+.1 < P. 1:11(10) ack 1 win 257\n"),
     Verdict::Kind::kPass, 0, ""},
    {"blocking read end time checked",
     Passive("+0...0.3 read(4, ..., 10) = 10\n+.1 < P. 1:11(10) ack 1 win 257\n"),
     Verdict::Kind::kFail, 8, "system call return at 0.310000"},
    {"output argument checked", Passive("+0 getsockopt(4, SOL_TCP, TCP_MAXSEG, [1460], [4]) = 0\n"),
     Verdict::Kind::kFail, 8, "TCP_MAXSEG optval: expected 1460, got 1000"},
    {"TS ecr must echo a TS val the stack sent",
     "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n"
     "+0 listen(3, 1) = 0\n+0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 1 ecr 0,nop,wscale 7>\n"
     "+0 > S. 0:0(0) ack 1 <...>\n+.01 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 2 ecr 99>\n",
     Verdict::Kind::kFail, 6, "unable to infer live TS ecr for script TS ecr 99"},
    {"first event at time 0", "+.1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n",
     Verdict::Kind::kFail, 1, "first event should be at time 0"},
    {"time going backward",
     "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n0.2 bind(3, ..., ...) = 0\n"
     "0.1 listen(3, 1) = 0\n",
     Verdict::Kind::kFail, 3, "time goes backward"},
    {"unmapped socket option", Passive("+0 setsockopt(4, SOL_TCP, TCP_QUICKACK, [1], 4) = 0\n"),
     Verdict::Kind::kUnsupported, 0, "line 8: setsockopt(): setsockopt TCP_QUICKACK"},
    {"IPv6", "--ip_version=ipv6\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n",
     Verdict::Kind::kUnsupported, 0, "IPv6"},
    {"Python code", Passive("+0 %{ assert tcpi_rwnd_limited == 0 }%\n"),
     Verdict::Kind::kUnsupported, 0, "line 8"},
    {"ICMP fragmentation-needed reaches the TCP layer",
     Passive("+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n"
             "+.01 < icmp unreachable frag_needed mtu 576 [1:1001(1000)]\n"
             "+0 > . 1:537(536) ack 1\n"),
     Verdict::Kind::kPass, 0, ""},
    {"inbound ICMP that is not an error", Passive("+0 < icmp echo_request\n"),
     Verdict::Kind::kUnsupported, 0, "line 8: inbound ICMP echo_request"},
    {"read after a timeout abort reports ETIMEDOUT, not ECONNRESET",
     Passive("+0 setsockopt(4, SOL_TCP, TCP_USER_TIMEOUT, [500], 4) = 0\n"
             "+0 write(4, ..., 100) = 100\n+0 > P. 1:101(100) ack 1\n"
             "+3 read(4, ..., 100) = -1 ETIMEDOUT (Connection timed out)\n"),
     Verdict::Kind::kPass, 0, ""},
    {"a segment with a bad checksum is dropped (tcpaas's bad_csum)",
     Passive("+0 < P. 1:11(10) ack 1 win 257 <bad_csum>\n+.1 < P. 1:11(10) ack 1 win 257\n"
             "+0 > . 1:1(0) ack 11\n"),
     Verdict::Kind::kPass, 0, ""},
    {"a segment with data offset 4 is dropped (tcpaas's doff)",
     Passive("+0 < P. 1:11(10) ack 1 win 257 <doff 4>\n+.1 < P. 1:11(10) ack 1 win 257\n"
             "+0 > . 1:1(0) ack 11\n"),
     Verdict::Kind::kPass, 0, ""},
    {"damage pseudo-options are for inbound segments only",
     Passive("+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1 <bad_csum>\n"),
     Verdict::Kind::kUnsupported, 0, "only applies to inbound segments"},
    {"parse errors fail with line and column", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) 3\n",
     Verdict::Kind::kFail, 1, "column 41: expected '='"},
};

class ExecutorTest : public testing::TestWithParam<Case> {};

TEST_P(ExecutorTest, Verdict) {
  const Case& c = GetParam();
  const ScriptResult r = RunScriptText(c.script, "inline.pkt", RunOptions{.verbose = true});
  std::string trace;
  for (const std::string& l : r.log) trace += l + "\n";
  EXPECT_EQ(r.verdict.kind, c.kind) << FormatVerdict("inline.pkt", r.verdict) << "\n" << trace;
  if (c.kind == Verdict::Kind::kFail) {
    EXPECT_EQ(r.verdict.line, c.line) << r.verdict.message;
  }
  EXPECT_NE(r.verdict.message.find(c.message), std::string::npos)
      << FormatVerdict("inline.pkt", r.verdict);
}

INSTANTIATE_TEST_SUITE_P(Scripts, ExecutorTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.name;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

// Our own smoke scripts must pass.
TEST(SmokeScriptsTest, AllPass) {
  const std::string dir = std::string(TCPAAS_CONFORMANCE_DIR) + "/smoke";
  for (const char* name : {"passive-open-data-close.pkt", "active-open-nonblocking.pkt",
                           "blocking-calls.pkt", "closed-port-reset.pkt"}) {
    const ScriptResult r = RunScript(dir + "/" + name, RunOptions());
    EXPECT_EQ(r.verdict.kind, Verdict::Kind::kPass) << FormatVerdict(name, r.verdict);
  }
}

}  // namespace
}  // namespace tcpaas::conformance
