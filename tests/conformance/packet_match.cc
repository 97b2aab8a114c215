#include "tests/conformance/packet_match.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stack/wire/endian.h"
#include "stack/wire/tcp.h"

namespace tcpaas::conformance {
namespace {

namespace tf = wire::tcp_flags;

std::optional<std::string> Field(absl::string_view name, int64_t expected, int64_t actual) {
  if (expected == actual) return std::nullopt;
  return absl::StrCat(name, ": expected ", expected, ", got ", actual);
}

std::string OptionSpecText(const TcpOptionSpec& o) {
  switch (o.kind) {
    case TcpOptionSpec::Kind::kNop:
      return "nop";
    case TcpOptionSpec::Kind::kEol:
      return "eol";
    case TcpOptionSpec::Kind::kMss:
      return absl::StrCat("mss ", o.value);
    case TcpOptionSpec::Kind::kWindowScale:
      return absl::StrCat("wscale ", o.value);
    case TcpOptionSpec::Kind::kSackPermitted:
      return "sackOK";
    case TcpOptionSpec::Kind::kSack: {
      std::string s = "sack";
      for (const auto& [l, r] : o.sack_blocks) absl::StrAppend(&s, " ", l, ":", r);
      return s;
    }
    case TcpOptionSpec::Kind::kTimestamp:
      return absl::StrCat("TS val ", o.ts_val, " ecr ", o.ts_ecr);
    case TcpOptionSpec::Kind::kFastOpen:
      return absl::StrCat("FO ", o.text);
    case TcpOptionSpec::Kind::kFastOpenExp:
      return absl::StrCat("FOEXP ", o.text);
    case TcpOptionSpec::Kind::kMd5:
      return absl::StrCat("md5 ", o.text);
    case TcpOptionSpec::Kind::kUnknown:
      return o.text;
  }
  return "?";
}

std::optional<std::string> CompareOptions(const PacketSpec& script, const ObservedSegment& actual,
                                          Duration ts_tick, Duration tolerance) {
  if (script.tcp.options_kind == OptionsSpec::kWildcard) return std::nullopt;
  absl::StatusOr<std::vector<uint8_t>> encoded = EncodeOptions(script.tcp.options);
  if (!encoded.ok()) return absl::StrCat(encoded.status().message());
  absl::StatusOr<std::vector<RawOption>> want = DecodeOptions(*encoded);
  if (!want.ok()) return absl::StrCat(want.status().message());
  const auto mismatch = [&]() {
    return absl::StrCat("TCP options: expected <", FormatOptions(*want), ">, got <",
                        FormatOptions(actual.options), ">");
  };
  if (want->size() != actual.options.size()) return mismatch();
  for (size_t i = 0; i < want->size(); ++i) {
    const RawOption& w = (*want)[i];
    const RawOption& a = actual.options[i];
    if (w.kind != a.kind) return mismatch();
    if (w.kind == wire::kTcpOptNop || w.kind == wire::kTcpOptEol) continue;
    if (w.kind == wire::kTcpOptTimestamps) {
      // TS val within the tolerance when --tcp_ts_tick_usecs is set; TS ecr unchecked.
      if (ts_tick > Duration::Zero() && a.data.size() == 8 && w.data.size() == 8) {
        const auto diff =
            static_cast<int32_t>(wire::Load32(a.data.data()) - wire::Load32(w.data.data()));
        if (ts_tick * std::abs(static_cast<int64_t>(diff)) > tolerance) {
          return absl::StrCat("TS val: expected ", wire::Load32(w.data.data()), ", got ",
                              wire::Load32(a.data.data()), " (tick ", ts_tick.ToString(),
                              ", tolerance ", tolerance.ToString(), ")");
        }
      }
      continue;
    }
    if (w.data != a.data) return mismatch();
  }
  return std::nullopt;
}

uint8_t ActualEcn() { return 0; }  // the IP layer below the TCP layer sends Not-ECT

}  // namespace

std::optional<std::string> CompareOutbound(const PacketSpec& script, const ObservedSegment& actual,
                                           Duration ts_tick, Duration tolerance) {
  const FlagBits want = ParseFlags(script.tcp.flags);
  if (script.tcp.options_kind != OptionsSpec::kWildcard) {
    absl::StatusOr<std::vector<uint8_t>> encoded = EncodeOptions(script.tcp.options);
    const size_t want_len = wire::kTcpMinHeaderSize + (encoded.ok() ? encoded->size() : 0);
    if (auto m = Field("tcp_data_offset", want_len / 4, actual.header_length / 4)) {
      return absl::StrCat(*m, " (", want_len, " vs ", actual.header_length,
                          " header bytes: options <", FormatOptions(actual.options), ">)");
    }
  }
  struct FlagCheck {
    const char* name;
    uint8_t bit;
  } checks[] = {{"tcp_fin", tf::kFin}, {"tcp_syn", tf::kSyn}, {"tcp_rst", tf::kRst},
                {"tcp_psh", tf::kPsh}, {"tcp_ack", tf::kAck}, {"tcp_urg", tf::kUrg},
                {"tcp_ece", tf::kEce}, {"tcp_cwr", tf::kCwr}};
  for (const FlagCheck& f : checks) {
    const bool w = (want.flags & f.bit) != 0;
    const bool a = (actual.flags & f.bit) != 0;
    if (w != a) {
      return absl::StrCat(f.name, ": expected ", w ? 1 : 0, ", got ", a ? 1 : 0, " (flags ",
                          FlagsToLetters(want.flags, want.ae), " vs ",
                          FlagsToLetters(actual.flags, actual.ae), ")");
    }
  }
  if (auto m = Field("tcp_ae", want.ae, actual.ae)) return m;
  if (auto m = Field("tcp_reserved_bits", 0, actual.reserved)) return m;
  if (auto m = Field("tcp_seq", script.tcp.seq_start, actual.seq)) return m;
  if (auto m = Field("tcp_ack_seq", script.tcp.ack.value_or(0), actual.ack)) return m;
  if (script.tcp.window) {
    if (auto m = Field("tcp_window", *script.tcp.window, actual.window)) return m;
  }
  if (auto m = Field("tcp_urg_ptr", script.tcp.urgent.value_or(0), actual.urgent)) return m;
  if (auto m = CompareOptions(script, actual, ts_tick, tolerance)) return m;
  if (auto m = Field("payload length", script.tcp.payload_len, actual.payload.size())) return m;
  if (std::any_of(actual.payload.begin(), actual.payload.end(), [](uint8_t b) { return b != 0; })) {
    return "incorrect outbound data payload (packetdrill writes zeros)";
  }
  switch (script.ip.ecn) {
    case EcnSpec::kUnchecked:
      break;
    case EcnSpec::kEct01:
      return absl::StrCat("ip_ecn: expected ECT(0) or ECT(1), got ", ActualEcn());
    case EcnSpec::kNoEcn:
      break;
    case EcnSpec::kEct0:
      return absl::StrCat("ip_ecn: expected 2 (ECT(0)), got ", ActualEcn());
    case EcnSpec::kEct1:
      return absl::StrCat("ip_ecn: expected 1 (ECT(1)), got ", ActualEcn());
    case EcnSpec::kCe:
      return absl::StrCat("ip_ecn: expected 3 (CE), got ", ActualEcn());
  }
  return std::nullopt;
}

std::string FormatScriptPacket(const PacketSpec& p) {
  std::string s = absl::StrCat(p.direction == Direction::kInbound ? "< " : "> ",
                               p.tcp.flags.empty() ? "-" : p.tcp.flags, " ", p.tcp.seq_start, ":",
                               p.tcp.seq_end, "(", p.tcp.payload_len, ")");
  if (p.tcp.ack) absl::StrAppend(&s, " ack ", *p.tcp.ack);
  if (p.tcp.window) absl::StrAppend(&s, " win ", *p.tcp.window);
  if (p.tcp.options_kind == OptionsSpec::kWildcard) absl::StrAppend(&s, " <...>");
  if (p.tcp.options_kind == OptionsSpec::kList) {
    std::vector<std::string> parts;
    for (const TcpOptionSpec& o : p.tcp.options) parts.push_back(OptionSpecText(o));
    absl::StrAppend(&s, " <", absl::StrJoin(parts, ","), ">");
  }
  return s;
}

}  // namespace tcpaas::conformance
