#include "stack/link/fault_spec.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace tcpaas::link {
namespace {

constexpr char kKnownKeys[] = "drop, dup, reorder, corrupt, delay, jitter, hold, rate, queue, rx";

struct Unit {
  absl::string_view suffix;
  double scale;
};

// Splits "1.5ms" into 1.5 and "ms".
bool SplitNumber(absl::string_view text, double* number, absl::string_view* unit) {
  size_t end = 0;
  while (end < text.size() && (absl::ascii_isdigit(text[end]) || text[end] == '.')) ++end;
  if (end == 0) return false;
  *unit = text.substr(end);
  return absl::SimpleAtod(text.substr(0, end), number) && std::isfinite(*number);
}

absl::Status BadValue(absl::string_view key, absl::string_view value, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("fault spec: ", key, "=", value, ": expected ", expected));
}

absl::StatusOr<double> ParseProbability(absl::string_view key, absl::string_view value) {
  constexpr absl::string_view kExpected = "a probability such as 0.05 or 5%";
  double p = 0;
  absl::string_view unit;
  if (!SplitNumber(value, &p, &unit)) return BadValue(key, value, kExpected);
  if (unit == "%") {
    p /= 100;
  } else if (!unit.empty()) {
    return BadValue(key, value, kExpected);
  }
  if (p < 0 || p > 1) return BadValue(key, value, "a probability between 0 and 1 (0% and 100%)");
  return p;
}

absl::StatusOr<Duration> ParseDuration(absl::string_view key, absl::string_view value) {
  static constexpr Unit kUnits[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
  constexpr absl::string_view kExpected = "a duration with a unit (ns, us, ms, s) such as 10ms";
  double number = 0;
  absl::string_view unit;
  if (!SplitNumber(value, &number, &unit)) return BadValue(key, value, kExpected);
  for (const Unit& u : kUnits) {
    if (unit != u.suffix) continue;
    const double ns = std::round(number * u.scale);
    if (ns >= 9e18) return BadValue(key, value, "a duration shorter than 9e9 seconds");
    return Duration::Nanos(static_cast<int64_t>(ns));
  }
  if (unit.empty() && number == 0) return Duration::Zero();
  return BadValue(key, value, kExpected);
}

absl::StatusOr<uint64_t> ParseRate(absl::string_view key, absl::string_view value) {
  static constexpr Unit kUnits[] = {
      {"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}, {"tbit", 1e12}};
  constexpr absl::string_view kExpected =
      "a rate in bit, kbit, mbit or gbit (per second) such as 100mbit, or 0";
  double number = 0;
  absl::string_view unit;
  if (!SplitNumber(value, &number, &unit)) return BadValue(key, value, kExpected);
  const std::string lower = absl::AsciiStrToLower(unit);
  for (const Unit& u : kUnits) {
    if (lower != u.suffix) continue;
    const double bits = std::round(number * u.scale);
    if (bits >= 1.8e19) return BadValue(key, value, "a rate below 1.8e19 bit/s");
    return static_cast<uint64_t>(bits);
  }
  if (unit.empty() && number == 0) return 0;
  return BadValue(key, value, kExpected);
}

absl::StatusOr<bool> ParseBool(absl::string_view key, absl::string_view value) {
  if (value == "1" || value == "true" || value == "yes") return true;
  if (value == "0" || value == "false" || value == "no") return false;
  return BadValue(key, value, "1, 0, true or false");
}

std::string FormatDouble(double v) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof(buf), v);  // shortest exact form
  return std::string(buf, result.ptr);
}

std::string FormatDuration(Duration d) {
  const int64_t ns = d.nanos();
  if (ns % 1'000'000'000 == 0) return absl::StrCat(ns / 1'000'000'000, "s");
  if (ns % 1'000'000 == 0) return absl::StrCat(ns / 1'000'000, "ms");
  if (ns % 1'000 == 0) return absl::StrCat(ns / 1'000, "us");
  return absl::StrCat(ns, "ns");
}

std::string FormatRate(uint64_t bits) {
  if (bits % 1'000'000'000 == 0) return absl::StrCat(bits / 1'000'000'000, "gbit");
  if (bits % 1'000'000 == 0) return absl::StrCat(bits / 1'000'000, "mbit");
  if (bits % 1'000 == 0) return absl::StrCat(bits / 1'000, "kbit");
  return absl::StrCat(bits, "bit");
}

}  // namespace

absl::StatusOr<FaultSpec> FaultSpec::Parse(std::string_view spec_text) {
  FaultSpec spec;
  const absl::string_view text =
      absl::StripAsciiWhitespace(absl::string_view(spec_text.data(), spec_text.size()));
  if (text.empty() || text == "none") return spec;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const absl::string_view key = absl::StripAsciiWhitespace(item.substr(0, eq));
    const absl::string_view value =
        eq == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(item.substr(eq + 1));
    if (key == "rx" && eq == absl::string_view::npos) {
      spec.apply_to_receive = true;
      continue;
    }
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("fault spec: '", item, "' is not key=value"));
    }
    absl::Status status;
    auto assign = [&status](auto parsed, auto* field) {
      if (parsed.ok()) {
        *field = *parsed;
      } else {
        status = parsed.status();
      }
    };
    if (key == "drop") {
      assign(ParseProbability(key, value), &spec.drop);
    } else if (key == "dup" || key == "duplicate") {
      assign(ParseProbability(key, value), &spec.duplicate);
    } else if (key == "reorder") {
      assign(ParseProbability(key, value), &spec.reorder);
    } else if (key == "corrupt") {
      assign(ParseProbability(key, value), &spec.corrupt);
    } else if (key == "delay") {
      assign(ParseDuration(key, value), &spec.delay);
    } else if (key == "jitter") {
      assign(ParseDuration(key, value), &spec.jitter);
    } else if (key == "hold") {
      assign(ParseDuration(key, value), &spec.reorder_hold);
    } else if (key == "rate") {
      assign(ParseRate(key, value), &spec.rate_bits_per_second);
    } else if (key == "queue") {
      if (!absl::SimpleAtoi(value, &spec.queue_limit) || spec.queue_limit == 0) {
        status = BadValue(key, value, "a positive number of frames");
      }
    } else if (key == "rx") {
      assign(ParseBool(key, value), &spec.apply_to_receive);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("fault spec: unknown key '", key, "' (known: ", kKnownKeys, ")"));
    }
    if (!status.ok()) return status;
  }
  return spec;
}

std::string FaultSpec::ToString() const {
  const FaultSpec defaults;
  std::vector<std::string> parts;
  if (drop != defaults.drop) parts.push_back(absl::StrCat("drop=", FormatDouble(drop)));
  if (duplicate != defaults.duplicate)
    parts.push_back(absl::StrCat("dup=", FormatDouble(duplicate)));
  if (reorder != defaults.reorder) parts.push_back(absl::StrCat("reorder=", FormatDouble(reorder)));
  if (corrupt != defaults.corrupt) parts.push_back(absl::StrCat("corrupt=", FormatDouble(corrupt)));
  if (delay != defaults.delay) parts.push_back(absl::StrCat("delay=", FormatDuration(delay)));
  if (jitter != defaults.jitter) parts.push_back(absl::StrCat("jitter=", FormatDuration(jitter)));
  if (reorder_hold != defaults.reorder_hold)
    parts.push_back(absl::StrCat("hold=", FormatDuration(reorder_hold)));
  if (rate_bits_per_second != defaults.rate_bits_per_second) {
    parts.push_back(absl::StrCat("rate=", FormatRate(rate_bits_per_second)));
  }
  if (queue_limit != defaults.queue_limit) parts.push_back(absl::StrCat("queue=", queue_limit));
  if (apply_to_receive != defaults.apply_to_receive) parts.push_back("rx=1");
  if (parts.empty()) return "none";
  return absl::StrJoin(parts, ",");
}

bool FaultSpec::IsPassThrough() const {
  return drop <= 0 && duplicate <= 0 && reorder <= 0 && corrupt <= 0 && delay <= Duration::Zero() &&
         jitter <= Duration::Zero() && rate_bits_per_second == 0;
}

}  // namespace tcpaas::link
