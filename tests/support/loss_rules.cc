#include "tests/support/loss_rules.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tcpaas::test {
namespace {

double Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

// The number after "packets " in one listed rule, if the rule has a counter.
bool CounterPackets(absl::string_view line, uint64_t* packets) {
  constexpr absl::string_view kKey = "counter packets ";
  const size_t at = line.find(kKey);
  if (at == absl::string_view::npos) return false;
  absl::string_view rest = line.substr(at + kKey.size());
  return absl::SimpleAtoi(rest.substr(0, rest.find(' ')), packets);
}

}  // namespace

std::string ClearLossRuleset() {
  // "add" first so that "delete" never fails on a missing table.
  return absl::StrFormat("add table bridge %1$s\ndelete table bridge %1$s\n", kLossTable);
}

std::string LossRuleset(const LossPath& path, int per_mille) {
  const std::string receiver = path.receiver.ToString();
  const uint16_t port = path.port.value();
  // nft refuses "numgen random mod 1000 < 1000": losing everything needs no condition.
  const std::string chance =
      per_mille < 1000 ? absl::StrCat("numgen random mod 1000 < ", per_mille, " ") : "";
  const std::string to_receiver = absl::StrFormat("ip daddr %s tcp dport %u", receiver, port);
  const std::string to_sender = absl::StrFormat("ip saddr %s tcp sport %u", receiver, port);
  std::string drop_to_receiver, drop_to_sender;
  if (per_mille > 0) {
    drop_to_receiver = absl::StrFormat("    %s %scounter drop\n", to_receiver, chance);
    drop_to_sender = absl::StrFormat("    %s %scounter drop\n", to_sender, chance);
  }
  return absl::StrCat(
      ClearLossRuleset(),
      absl::StrFormat("table bridge %s {\n"
                      "  chain to_receiver {\n"
                      "    type filter hook input priority filter; policy accept;\n"
                      "    %s counter\n"
                      "%s"
                      "  }\n"
                      "  chain to_sender {\n"
                      "    type filter hook output priority filter; "
                      "policy accept;\n"
                      "    %s counter\n"
                      "%s"
                      "  }\n"
                      "}\n",
                      kLossTable, to_receiver, drop_to_receiver, to_sender, drop_to_sender));
}

std::string LossCounters::Summary() const {
  return absl::StrFormat("data %.2f%% of %u, acks %.2f%% of %u",
                         Percent(to_receiver_dropped, to_receiver_seen), to_receiver_seen,
                         Percent(to_sender_dropped, to_sender_seen), to_sender_seen);
}

absl::StatusOr<LossCounters> ParseLossCounters(std::string_view output_view) {
  const absl::string_view output(output_view.data(), output_view.size());
  LossCounters counters;
  uint64_t* seen = nullptr;
  uint64_t* dropped = nullptr;
  int chains = 0;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::StartsWith(line, "chain to_receiver ")) {
      seen = &counters.to_receiver_seen;
      dropped = &counters.to_receiver_dropped;
      ++chains;
      continue;
    }
    if (absl::StartsWith(line, "chain to_sender ")) {
      seen = &counters.to_sender_seen;
      dropped = &counters.to_sender_dropped;
      ++chains;
      continue;
    }
    uint64_t packets = 0;
    if (seen == nullptr || !CounterPackets(line, &packets)) continue;
    *(absl::EndsWith(line, " drop") ? dropped : seen) = packets;
  }
  if (chains != 2) {
    return absl::InternalError(
        absl::StrCat("no chains to_receiver and to_sender in the nft listing: ", output));
  }
  return counters;
}

absl::StatusOr<std::vector<int>> ParseLossPercentages(std::string_view list_view) {
  const absl::string_view list(list_view.data(), list_view.size());
  std::vector<int> per_mille;
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    item = absl::StripAsciiWhitespace(item);
    absl::ConsumeSuffix(&item, "%");
    // Whole and tenth parts are read separately so that "0.1" is exactly 1 per mille.
    absl::string_view whole = item, tenth = "0";
    if (const size_t dot = item.find('.'); dot != absl::string_view::npos) {
      whole = item.substr(0, dot);
      tenth = item.substr(dot + 1);
    }
    int w = 0, t = 0;
    if (item.empty() || whole.empty() || tenth.size() != 1 || !absl::ascii_isdigit(tenth[0]) ||
        !absl::SimpleAtoi(whole, &w) || !absl::ascii_isdigit(whole[0]) ||
        !absl::SimpleAtoi(tenth, &t)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "loss \"", item, "\": give percentages with at most one decimal, e.g. 0,0.5,1,5"));
    }
    const int value = w * 10 + t;
    if (w > kMaxLossPerMille / 10 || value > kMaxLossPerMille) {
      return absl::InvalidArgumentError(
          absl::StrCat("loss ", item, "% is above the ", kMaxLossPerMille / 10, "% accepted"));
    }
    per_mille.push_back(value);
  }
  return per_mille;
}

std::string LossLabel(int per_mille) {
  if (per_mille % 10 == 0) return absl::StrCat(per_mille / 10, "%");
  return absl::StrCat(per_mille / 10, ".", per_mille % 10, "%");
}

}  // namespace tcpaas::test
