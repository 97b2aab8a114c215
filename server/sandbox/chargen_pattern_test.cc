#include "server/sandbox/chargen_pattern.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace tcpaas::server {
namespace {

std::string Stream(uint64_t offset, size_t n) {
  std::string out(n, '\0');
  ChargenPattern pattern(offset);
  pattern.Fill(absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), out.size()));
  return out;
}

TEST(ChargenPatternTest, FirstLinesFollowRfc864) {
  const std::string s = Stream(0, 2 * kChargenLineBytes);
  // Line 0: the 72 characters from ' ', then CR LF.
  EXPECT_EQ(s.substr(0, 10), " !\"#$%&'()");
  EXPECT_EQ(s.substr(62, 12), "^_`abcdefg\r\n");
  // Line 1 starts one character later (the RFC's example line).
  EXPECT_EQ(s.substr(kChargenLineBytes, 74),
            "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n");
}

TEST(ChargenPatternTest, EveryLineIsPrintableAndRepeatsAfter95Lines) {
  const std::string s = Stream(0, kChargenPeriod + kChargenLineBytes);
  for (size_t line = 0; line < kChargenPrintable; ++line) {
    const std::string l = s.substr(line * kChargenLineBytes, kChargenLineBytes);
    EXPECT_EQ(l[0], static_cast<char>(' ' + line)) << "line " << line;
    EXPECT_EQ(l.substr(kChargenLineChars), "\r\n");
    for (size_t i = 0; i < kChargenLineChars; ++i) {
      EXPECT_TRUE(l[i] >= ' ' && l[i] <= '~') << "line " << line << " column " << i;
    }
  }
  EXPECT_EQ(s.substr(kChargenPeriod), s.substr(0, kChargenLineBytes));
}

TEST(ChargenPatternTest, PiecesJoinIntoTheSameStreamFromAnyOffset) {
  const std::string whole = Stream(0, 10000);
  ChargenPattern pattern;
  std::string pieced;
  for (size_t n : std::vector<size_t>{1, 73, 74, 1000, 7, 8845}) {
    std::string part(n, '\0');
    pattern.Fill(absl::MakeSpan(reinterpret_cast<uint8_t*>(part.data()), n));
    pieced += part;
  }
  EXPECT_EQ(pieced, whole);
  EXPECT_EQ(Stream(4321, 100), whole.substr(4321, 100));
  EXPECT_EQ(ChargenByte(4321), static_cast<uint8_t>(whole[4321]));
}

}  // namespace
}  // namespace tcpaas::server
