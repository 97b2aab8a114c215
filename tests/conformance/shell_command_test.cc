#include "tests/conformance/shell_command.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::conformance {
namespace {

std::vector<std::string> Words(const ShellCommand& c) { return c.words; }

TEST(ShellCommandTest, SplitsOnNewlinesSemicolonsAndAndOr) {
  absl::StatusOr<std::vector<ShellCommand>> cmds =
      SplitShellCommands("a 1\nb 2; c 3 && d || e\n\n  f");
  ASSERT_TRUE(cmds.ok()) << cmds.status();
  ASSERT_EQ(cmds->size(), 6u);
  EXPECT_EQ(Words((*cmds)[0]), (std::vector<std::string>{"a", "1"}));
  EXPECT_EQ((*cmds)[1].line, 1);
  EXPECT_EQ((*cmds)[2].ToString(), "c 3");
  EXPECT_EQ((*cmds)[5].ToString(), "f");
  EXPECT_EQ((*cmds)[5].line, 3);
}

TEST(ShellCommandTest, QuotesContinuationsCommentsAndArithmetic) {
  absl::StatusOr<std::vector<ShellCommand>> cmds = SplitShellCommands(
      "#!/bin/bash\n"
      "# a comment\n"
      "sysctl -q net.ipv4.tcp_rmem=\"4096 540000 $((15*1024*1024))\"\n"
      "set_sysctls.py \\\n\t/proc/sys/a=1 \\\n\t/proc/sys/b='x y'  # trailing\n"
      "echo 3 > /sys/module/x 2>&1\n"
      "ip tcp_metrics flush all > /dev/null 2>&1\n");
  ASSERT_TRUE(cmds.ok()) << cmds.status();
  ASSERT_EQ(cmds->size(), 4u);
  EXPECT_EQ(Words((*cmds)[0]),
            (std::vector<std::string>{"sysctl", "-q", "net.ipv4.tcp_rmem=4096 540000 15728640"}));
  EXPECT_EQ(Words((*cmds)[1]),
            (std::vector<std::string>{"set_sysctls.py", "/proc/sys/a=1", "/proc/sys/b=x y"}));
  EXPECT_EQ(Words((*cmds)[2]), (std::vector<std::string>{"echo", "3"}));
  EXPECT_EQ((*cmds)[2].redirects, (std::vector<std::string>{"> /sys/module/x", "2>&1"}));
  EXPECT_EQ((*cmds)[3].redirects, (std::vector<std::string>{"> /dev/null", "2>&1"}));
}

TEST(ShellCommandTest, VariablesStayAsWritten) {
  absl::StatusOr<std::vector<ShellCommand>> cmds =
      SplitShellCommands("/tmp/sysctl_restore_${PPID}.sh");
  ASSERT_TRUE(cmds.ok());
  ASSERT_EQ(cmds->size(), 1u);
  EXPECT_EQ((*cmds)[0].words[0], "/tmp/sysctl_restore_${PPID}.sh");
}

TEST(ShellCommandTest, Errors) {
  EXPECT_FALSE(SplitShellCommands("echo 'open").ok());
  EXPECT_FALSE(SplitShellCommands("echo \"open").ok());
  EXPECT_FALSE(SplitShellCommands("x=$((1+").ok());
  EXPECT_FALSE(SplitShellCommands("x=$((1/0))").ok());
}

TEST(ShellArithmeticTest, Table) {
  struct Case {
    std::string expr;
    long long value;
  } cases[] = {{"15*1024*1024", 15728640}, {"256*1024", 262144}, {"1 + 2 * 3", 7},
               {"(1 + 2) * 3", 9},         {"-4 + 10 % 4", -2},  {"7/2", 3}};
  for (const Case& c : cases) {
    absl::StatusOr<long long> v = EvaluateShellArithmetic(c.expr);
    ASSERT_TRUE(v.ok()) << c.expr;
    EXPECT_EQ(*v, c.value) << c.expr;
  }
  EXPECT_FALSE(EvaluateShellArithmetic("1 +").ok());
  EXPECT_FALSE(EvaluateShellArithmetic("x").ok());
}

}  // namespace
}  // namespace tcpaas::conformance
