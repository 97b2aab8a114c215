#include "tests/conformance/code_block.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace tcpaas::conformance {
namespace {

std::optional<int64_t> Fields(absl::string_view name) {
  if (name == "tcpi_snd_cwnd") return 10;
  if (name == "tcpi_rtt") return 100000;
  if (name == "TCP_CA_Open") return 0;
  return std::nullopt;
}

using Kind = CodeBlockEvaluator::Result::Kind;

TEST(CodeBlockTest, CorpusStatementsTable) {
  struct Case {
    std::string code;
    Kind kind;
    std::string message_part;
  } cases[] = {
      {"assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd", Kind::kOk, ""},
      {"assert tcpi_snd_cwnd == 12, 'cwnd=%d' % tcpi_snd_cwnd", Kind::kAssertionFailed,
       "assert tcpi_snd_cwnd == 12 failed (tcpi_snd_cwnd = 10)"},
      {"assert 98000 <= tcpi_rtt <= 110000, tcpi_rtt", Kind::kOk, ""},
      {"assert 98000 <= tcpi_rtt <= 99000, tcpi_rtt", Kind::kAssertionFailed, "98000 <= tcpi_rtt"},
      {"assert tcpi_snd_cwnd == 10, x;\\\n\t assert tcpi_rtt > 5, y", Kind::kOk, ""},
      {"assert tcpi_snd_cwnd == 10  # a comment\nassert not (tcpi_rtt < 5) and 1 or 0", Kind::kOk,
       ""},
      {"assert (tcpi_snd_cwnd * 2 + 1) // 3 == 7 and 7 % 4 == 3 and -1 < 0", Kind::kOk, ""},
      {"assert tcpi_lost == 0, tcpi_lost", Kind::kUnsupported, "tcpi_lost is not available"},
      {"import os", Kind::kUnsupported, "cannot run Python"},
      {"print(tcpi_snd_cwnd)", Kind::kUnsupported, "cannot run Python"},
      {"assert tcpi_snd_cwnd == 10, 'unterminated", Kind::kUnsupported, "unterminated string"},
  };
  for (const Case& c : cases) {
    CodeBlockEvaluator e;
    const CodeBlockEvaluator::Result r = e.Run(c.code, Fields);
    EXPECT_EQ(r.kind, c.kind) << c.code << ": " << r.message;
    EXPECT_NE(r.message.find(c.message_part), std::string::npos) << r.message;
  }
}

TEST(CodeBlockTest, AssignmentsLastAcrossBlocks) {
  CodeBlockEvaluator e;
  ASSERT_EQ(e.Run("TCP_INFINITE_SSTHRESH = 0x7fffffff", Fields).kind, Kind::kOk);
  EXPECT_EQ(e.Run("assert TCP_INFINITE_SSTHRESH == 2147483647", Fields).kind, Kind::kOk);
  EXPECT_EQ(e.Run("assert TCP_INFINITE_SSTHRESH == 1", Fields).kind, Kind::kAssertionFailed);
}

}  // namespace
}  // namespace tcpaas::conformance
