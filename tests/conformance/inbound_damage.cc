#include "tests/conformance/inbound_damage.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "stack/wire/tcp.h"

namespace tcpaas::conformance {
namespace {

constexpr absl::string_view kBadChecksum = "bad_csum";
constexpr absl::string_view kDataOffset = "doff";
constexpr size_t kDataOffsetByte = 12;
constexpr size_t kChecksumByte = 16;
constexpr uint32_t kMaxDataOffsetWords = 15;

}  // namespace

bool IsDamageOption(const TcpOptionSpec& o) {
  if (o.kind != TcpOptionSpec::Kind::kUnknown) return false;
  return o.text == kBadChecksum || o.text == kDataOffset ||
         absl::StartsWith(o.text, absl::StrCat(kDataOffset, " "));
}

absl::Status ExtractDamage(std::vector<TcpOptionSpec>* options, InboundDamage* damage) {
  std::vector<TcpOptionSpec> real;
  for (const TcpOptionSpec& o : *options) {
    if (!IsDamageOption(o)) {
      real.push_back(o);
      continue;
    }
    if (o.text == kBadChecksum) {
      damage->bad_checksum = true;
      continue;
    }
    absl::string_view rest = o.text;
    absl::ConsumePrefix(&rest, kDataOffset);
    uint32_t words = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &words) ||
        words > kMaxDataOffsetWords) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", o.text, "': doff takes a number of 32-bit words, 0 to 15"));
    }
    damage->data_offset_words = static_cast<uint8_t>(words);
  }
  *options = std::move(real);
  return absl::OkStatus();
}

void ApplyDamage(const InboundDamage& damage, Ipv4Address src, Ipv4Address dst,
                 absl::Span<uint8_t> segment) {
  if (segment.size() < wire::kTcpMinHeaderSize) return;
  if (damage.data_offset_words) {
    segment[kDataOffsetByte] =
        static_cast<uint8_t>((*damage.data_offset_words << 4) | (segment[kDataOffsetByte] & 0x0f));
    wire::FillTcpChecksum(src, dst, segment);
  }
  if (damage.bad_checksum) segment[kChecksumByte + 1] ^= 0x01;
}

}  // namespace tcpaas::conformance
