#include "stack/link/fault_spec.h"

#include <string>

#include "gtest/gtest.h"

namespace tcpaas::link {
namespace {

TEST(FaultSpecTest, ParsesTheDocumentedExample) {
  absl::StatusOr<FaultSpec> spec = FaultSpec::Parse(
      "drop=0.05,dup=0.01,reorder=0.02,corrupt=0.001,delay=10ms,jitter=2ms,rate=100mbit");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->drop, 0.05);
  EXPECT_EQ(spec->duplicate, 0.01);
  EXPECT_EQ(spec->reorder, 0.02);
  EXPECT_EQ(spec->corrupt, 0.001);
  EXPECT_EQ(spec->delay, Duration::Millis(10));
  EXPECT_EQ(spec->jitter, Duration::Millis(2));
  EXPECT_EQ(spec->rate_bits_per_second, 100'000'000u);
  EXPECT_EQ(spec->queue_limit, 4096u);
  EXPECT_FALSE(spec->apply_to_receive);
  EXPECT_FALSE(spec->IsPassThrough());
}

struct ValidCase {
  std::string text;
  FaultSpec want;
};

FaultSpec With(void (*edit)(FaultSpec&)) {
  FaultSpec s;
  edit(s);
  return s;
}

TEST(FaultSpecTest, ParsesEveryKeyAndUnit) {
  const ValidCase cases[] = {
      {"", FaultSpec()},
      {"none", FaultSpec()},
      {"  drop = 5% , ", With([](FaultSpec& s) { s.drop = 0.05; })},
      {"duplicate=1", With([](FaultSpec& s) { s.duplicate = 1; })},
      {"corrupt=0", FaultSpec()},
      {"delay=250us", With([](FaultSpec& s) { s.delay = Duration::Micros(250); })},
      {"delay=1.5ms", With([](FaultSpec& s) { s.delay = Duration::Micros(1500); })},
      {"delay=7ns", With([](FaultSpec& s) { s.delay = Duration::Nanos(7); })},
      {"jitter=2s", With([](FaultSpec& s) { s.jitter = Duration::Seconds(2); })},
      {"delay=0", FaultSpec()},
      {"hold=5ms", With([](FaultSpec& s) { s.reorder_hold = Duration::Millis(5); })},
      {"rate=1gbit", With([](FaultSpec& s) { s.rate_bits_per_second = 1'000'000'000; })},
      {"rate=1.5Mbit", With([](FaultSpec& s) { s.rate_bits_per_second = 1'500'000; })},
      {"rate=64kbit", With([](FaultSpec& s) { s.rate_bits_per_second = 64'000; })},
      {"rate=9600bit", With([](FaultSpec& s) { s.rate_bits_per_second = 9600; })},
      {"rate=0", FaultSpec()},
      {"queue=16", With([](FaultSpec& s) { s.queue_limit = 16; })},
      {"rx", With([](FaultSpec& s) { s.apply_to_receive = true; })},
      {"rx=true", With([](FaultSpec& s) { s.apply_to_receive = true; })},
      {"rx=0", FaultSpec()},
      {"drop=0.1,drop=0.2", With([](FaultSpec& s) { s.drop = 0.2; })},  // the last one wins
  };
  for (const ValidCase& c : cases) {
    absl::StatusOr<FaultSpec> got = FaultSpec::Parse(c.text);
    ASSERT_TRUE(got.ok()) << "'" << c.text << "': " << got.status();
    EXPECT_EQ(*got, c.want) << "'" << c.text << "' parsed as " << got->ToString();
  }
}

TEST(FaultSpecTest, RejectsMalformedSpecsWithTheReason) {
  const struct {
    std::string text;
    std::string message_part;
  } cases[] = {
      {"drop=1.5", "between 0 and 1"},
      {"drop=-0.1", "probability"},
      {"drop=abc", "probability"},
      {"drop=", "probability"},
      {"drop=5%%", "probability"},
      {"loss=0.1", "unknown key 'loss'"},
      {"drop", "not key=value"},
      {"delay=10", "unit"},
      {"delay=10m", "unit"},
      {"delay=-1ms", "duration"},
      {"rate=100", "rate"},
      {"rate=100mbps", "rate"},
      {"queue=0", "positive"},
      {"queue=-3", "positive"},
      {"rx=maybe", "true or false"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<FaultSpec> got = FaultSpec::Parse(c.text);
    ASSERT_FALSE(got.ok()) << "'" << c.text << "' parsed as " << got->ToString();
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find(c.message_part), std::string::npos)
        << "'" << c.text << "': " << got.status();
  }
}

TEST(FaultSpecTest, ToStringIsCanonicalAndRoundTrips) {
  EXPECT_EQ(FaultSpec().ToString(), "none");
  FaultSpec s;
  s.drop = 0.05;
  s.duplicate = 0.01;
  s.reorder = 0.123456789;
  s.corrupt = 0.001;
  s.delay = Duration::Millis(10);
  s.jitter = Duration::Micros(1500);
  s.reorder_hold = Duration::Nanos(3);
  s.rate_bits_per_second = 100'000'000;
  s.queue_limit = 64;
  s.apply_to_receive = true;
  EXPECT_EQ(s.ToString(),
            "drop=0.05,dup=0.01,reorder=0.123456789,corrupt=0.001,delay=10ms,jitter=1500us,"
            "hold=3ns,rate=100mbit,queue=64,rx=1");
  absl::StatusOr<FaultSpec> back = FaultSpec::Parse(s.ToString());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);

  FaultSpec odd_rate;
  odd_rate.rate_bits_per_second = 1'234'567;
  EXPECT_EQ(odd_rate.ToString(), "rate=1234567bit");
  EXPECT_EQ(*FaultSpec::Parse(odd_rate.ToString()), odd_rate);
}

TEST(FaultSpecTest, PassThroughOnlyWithoutFaults) {
  EXPECT_TRUE(FaultSpec().IsPassThrough());
  FaultSpec queue_only;
  queue_only.queue_limit = 1;
  queue_only.apply_to_receive = true;
  EXPECT_TRUE(queue_only.IsPassThrough());
  for (const char* text : {"drop=0.1", "dup=0.1", "reorder=0.1", "corrupt=0.1", "delay=1ns",
                           "jitter=1ns", "rate=1kbit"}) {
    EXPECT_FALSE(FaultSpec::Parse(text)->IsPassThrough()) << text;
  }
}

}  // namespace
}  // namespace tcpaas::link
