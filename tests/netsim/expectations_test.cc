#include "tests/netsim/expectations.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace tcpaas::netsim {
namespace {

TEST(Expectations, ParsesKeysOfSeveralWordsCommentsAndBlankLines) {
  absl::StatusOr<Expectations> e = Expectations::Parse(
      "# header\n"
      "\n"
      "newreno buf=64KiB loss=0% rtt=1ms reorder=off 95.35\n"
      "  cubic buf=1MiB loss=5% rtt=50ms reorder=on\t0.870  \n");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->size(), 2u);
  EXPECT_EQ(e->Find("newreno buf=64KiB loss=0% rtt=1ms reorder=off"), 95.35);
  EXPECT_EQ(e->Find("cubic buf=1MiB loss=5% rtt=50ms reorder=on"), 0.87);
  EXPECT_FALSE(e->Find("newreno buf=64KiB").has_value());
}

TEST(Expectations, RejectsMalformedLinesNamingTheLine) {
  struct Case {
    const char* text;
    const char* message_part;
  };
  const Case cases[] = {
      {"a b 1\nkey fast\n", "line 2: bad goodput 'fast'"},
      {"95.3\n", "line 1: no cell key"},
      {"key -1\n", "bad goodput '-1'"},
      {"key nan\n", "bad goodput 'nan'"},
      {"key 1\nkey 2\n", "line 2: cell 'key' given twice"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Expectations> e = Expectations::Parse(c.text);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(std::string(e.status().message()).find(c.message_part), std::string::npos)
        << e.status();
  }
}

TEST(Expectations, SetReplacesOrAppendsAndSerializeRoundTrips) {
  Expectations e;
  e.Set("newreno buf=64KiB loss=1% rtt=10ms reorder=off", 12.3456);
  e.Set("cubic buf=1MiB loss=0% rtt=1ms reorder=on", 40);
  e.Set("newreno buf=64KiB loss=1% rtt=10ms reorder=off", 11.5);
  const std::string text = e.Serialize();
  EXPECT_EQ(text.rfind("# ", 0), 0u) << "the file starts with its documentation";
  EXPECT_NE(text.find("update-expectations.sh"), std::string::npos);
  EXPECT_NE(text.find("newreno buf=64KiB loss=1% rtt=10ms reorder=off 11.500\n"
                      "cubic buf=1MiB loss=0% rtt=1ms reorder=on 40.000\n"),
            std::string::npos)
      << text;
  absl::StatusOr<Expectations> back = Expectations::Parse(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->size(), 2u);
  EXPECT_EQ(back->Find("newreno buf=64KiB loss=1% rtt=10ms reorder=off"), 11.5);
}

TEST(Expectations, RemoveStaleDropsOnlyMissingKeysWithThePrefix) {
  Expectations e;
  e.Set("newreno a", 1);
  e.Set("newreno b", 2);
  e.Set("cubic a", 3);
  EXPECT_EQ(e.RemoveStale("newreno ", {"newreno a"}), 1u);
  EXPECT_TRUE(e.Find("newreno a").has_value());
  EXPECT_FALSE(e.Find("newreno b").has_value());
  EXPECT_TRUE(e.Find("cubic a").has_value());
}

TEST(Expectations, SavesAndLoadsAFileAndReportsAMissingOne) {
  const std::string path = testing::TempDir() + "/netsim_expectations_test.txt";
  Expectations e;
  e.Set("a b", 1.25);
  ASSERT_TRUE(e.Save(path).ok());
  absl::StatusOr<Expectations> loaded = Expectations::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->Find("a b"), 1.25);
  std::remove(path.c_str());
  EXPECT_EQ(Expectations::Load(path).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace tcpaas::netsim
