#include "tests/conformance/verdict.h"

#include "gtest/gtest.h"

namespace tcpaas::conformance {
namespace {

TEST(VerdictTest, OutputLines) {
  EXPECT_EQ(FormatVerdict("a/b.pkt", Verdict::Pass()), "PASS a/b.pkt");
  EXPECT_EQ(FormatVerdict("a/b.pkt", Verdict::Fail(12, "expected x got y")),
            "FAIL a/b.pkt:12: expected x got y");
  EXPECT_EQ(FormatVerdict("a/b.pkt", Verdict::Fail(0, "cannot open")), "FAIL a/b.pkt: cannot open");
  EXPECT_EQ(FormatVerdict("a/b.pkt", Verdict::Unsupported("IPv6")), "UNSUPPORTED a/b.pkt: IPv6");
  EXPECT_EQ(FormatVerdict("p", Verdict::Fail(1, "two\nlines\n")), "FAIL p:1: two; lines");
}

TEST(VerdictTest, SummaryCountsEachKind) {
  Tally t;
  EXPECT_EQ(t.Summary(), "conformance: 0 passed, 0 failed, 0 unsupported");
  t.Add(Verdict::Pass());
  t.Add(Verdict::Pass());
  t.Add(Verdict::Fail(1, "x"));
  t.Add(Verdict::Unsupported("y"));
  t.Add(Verdict::Unsupported("z"));
  t.Add(Verdict::Unsupported("w"));
  EXPECT_EQ(t.Summary(), "conformance: 2 passed, 1 failed, 3 unsupported");
}

}  // namespace
}  // namespace tcpaas::conformance
