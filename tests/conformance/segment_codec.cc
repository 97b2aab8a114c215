#include "tests/conformance/segment_codec.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stack/wire/endian.h"
#include "stack/wire/tcp.h"

namespace tcpaas::conformance {
namespace {

namespace tf = wire::tcp_flags;

constexpr struct {
  char letter;
  uint8_t bit;
} kFlagLetters[] = {{'F', tf::kFin}, {'S', tf::kSyn}, {'R', tf::kRst}, {'P', tf::kPsh},
                    {'U', tf::kUrg}, {'E', tf::kEce}, {'W', tf::kCwr}};

void Put(std::vector<uint8_t>* out, std::initializer_list<uint8_t> bytes) {
  out->insert(out->end(), bytes);
}
void Put32(std::vector<uint8_t>* out, uint32_t v) {
  uint8_t b[4];
  wire::Store32(b, v);
  out->insert(out->end(), b, b + 4);
}

}  // namespace

FlagBits ParseFlags(const std::string& letters) {
  FlagBits f;
  for (char c : letters) {
    if (c == '.') f.flags |= tf::kAck;
    if (c == 'A') f.ae = true;
    for (const auto& l : kFlagLetters) {
      if (l.letter == c) f.flags |= l.bit;
    }
  }
  return f;
}

std::string FlagsToLetters(uint8_t flags, bool ae) {
  std::string s;
  for (const auto& l : kFlagLetters) {
    if ((flags & l.bit) != 0) s.push_back(l.letter);
  }
  if (ae) s.push_back('A');
  if ((flags & tf::kAck) != 0) s.push_back('.');
  return s.empty() ? "-" : s;
}

absl::StatusOr<std::vector<uint8_t>> EncodeOptions(const std::vector<TcpOptionSpec>& options) {
  std::vector<uint8_t> out;
  for (const TcpOptionSpec& o : options) {
    switch (o.kind) {
      case TcpOptionSpec::Kind::kNop:
        Put(&out, {wire::kTcpOptNop});
        break;
      case TcpOptionSpec::Kind::kEol:
        Put(&out, {wire::kTcpOptEol});
        break;
      case TcpOptionSpec::Kind::kMss:
        Put(&out, {wire::kTcpOptMss, 4, static_cast<uint8_t>(o.value >> 8),
                   static_cast<uint8_t>(o.value)});
        break;
      case TcpOptionSpec::Kind::kWindowScale:
        Put(&out, {wire::kTcpOptWindowScale, 3, static_cast<uint8_t>(o.value)});
        break;
      case TcpOptionSpec::Kind::kSackPermitted:
        Put(&out, {wire::kTcpOptSackPermitted, 2});
        break;
      case TcpOptionSpec::Kind::kSack:
        Put(&out, {wire::kTcpOptSack, static_cast<uint8_t>(2 + 8 * o.sack_blocks.size())});
        for (const auto& [left, right] : o.sack_blocks) {
          Put32(&out, left);
          Put32(&out, right);
        }
        break;
      case TcpOptionSpec::Kind::kTimestamp:
        Put(&out, {wire::kTcpOptTimestamps, 10});
        Put32(&out, o.ts_val);
        Put32(&out, o.ts_ecr);
        break;
      default:
        return absl::UnimplementedError(absl::StrCat("cannot encode TCP option '", o.text, "'"));
    }
  }
  if (out.size() > wire::kTcpMaxOptionsSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("TCP options take ", out.size(), " bytes; at most 40 fit"));
  }
  if (out.size() % 4 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TCP options take ", out.size(), " bytes, not a multiple of 4 (pad with nop or eol)"));
  }
  return out;
}

absl::StatusOr<std::vector<RawOption>> DecodeOptions(absl::Span<const uint8_t> bytes) {
  std::vector<RawOption> out;
  size_t i = 0;
  while (i < bytes.size()) {
    const uint8_t kind = bytes[i];
    if (kind == wire::kTcpOptEol || kind == wire::kTcpOptNop) {
      out.push_back({kind, {}});
      ++i;
      continue;
    }
    if (i + 1 >= bytes.size() || bytes[i + 1] < 2 || i + bytes[i + 1] > bytes.size()) {
      return absl::InvalidArgumentError(absl::StrCat("malformed TCP option of kind ", kind));
    }
    const uint8_t len = bytes[i + 1];
    out.push_back({kind, std::vector<uint8_t>(bytes.begin() + i + 2, bytes.begin() + i + len)});
    i += len;
  }
  return out;
}

std::string FormatOptions(const std::vector<RawOption>& options) {
  std::vector<std::string> parts;
  for (const RawOption& o : options) {
    const std::vector<uint8_t>& d = o.data;
    if (o.kind == wire::kTcpOptNop) {
      parts.push_back("nop");
    } else if (o.kind == wire::kTcpOptEol) {
      parts.push_back("eol");
    } else if (o.kind == wire::kTcpOptMss && d.size() == 2) {
      parts.push_back(absl::StrCat("mss ", wire::Load16(d.data())));
    } else if (o.kind == wire::kTcpOptWindowScale && d.size() == 1) {
      parts.push_back(absl::StrCat("wscale ", d[0]));
    } else if (o.kind == wire::kTcpOptSackPermitted && d.empty()) {
      parts.push_back("sackOK");
    } else if (o.kind == wire::kTcpOptTimestamps && d.size() == 8) {
      parts.push_back(
          absl::StrCat("TS val ", wire::Load32(d.data()), " ecr ", wire::Load32(d.data() + 4)));
    } else if (o.kind == wire::kTcpOptSack && d.size() % 8 == 0) {
      std::string s = "sack";
      for (size_t i = 0; i < d.size(); i += 8) {
        absl::StrAppend(&s, " ", wire::Load32(d.data() + i), ":", wire::Load32(d.data() + i + 4));
      }
      parts.push_back(s);
    } else {
      parts.push_back(absl::StrCat("kind ", o.kind, " len ", d.size() + 2));
    }
  }
  return absl::StrJoin(parts, ",");
}

std::vector<uint8_t> BuildSegment(const SegmentFields& s, Ipv4Address src, Ipv4Address dst) {
  const size_t header = wire::kTcpMinHeaderSize + s.options.size();
  std::vector<uint8_t> out(header + s.payload_len, 0);
  uint8_t* p = out.data();
  wire::Store16(p, s.src_port.value());
  wire::Store16(p + 2, s.dst_port.value());
  wire::Store32(p + 4, s.seq);
  wire::Store32(p + 8, s.ack);
  p[12] = static_cast<uint8_t>(((header / 4) << 4) | (s.flags.ae ? 1 : 0));
  p[13] = s.flags.flags;
  wire::Store16(p + 14, s.window);
  wire::Store16(p + 18, s.urgent);
  std::copy(s.options.begin(), s.options.end(), p + wire::kTcpMinHeaderSize);
  wire::FillTcpChecksum(src, dst, absl::MakeSpan(out));
  ApplyDamage(s.damage, src, dst, absl::MakeSpan(out));
  return out;
}

std::string ObservedSegment::ToString() const {
  std::string s =
      absl::StrCat(FlagsToLetters(flags, ae), " ", seq, ":",
                   seq + static_cast<uint32_t>(payload.size()), "(", payload.size(), ")");
  if ((flags & tf::kAck) != 0) absl::StrAppend(&s, " ack ", ack);
  absl::StrAppend(&s, " win ", window);
  if (!options.empty()) absl::StrAppend(&s, " <", FormatOptions(options), ">");
  return s;
}

absl::StatusOr<ObservedSegment> ParseSegment(absl::Span<const uint8_t> bytes, Ipv4Address src,
                                             Ipv4Address dst, Instant at) {
  std::optional<wire::TcpHeaderView> view = wire::TcpHeaderView::Parse(bytes);
  if (!view) return absl::InvalidArgumentError("the stack sent a malformed TCP header");
  ObservedSegment o;
  o.at = at;
  o.src = src;
  o.dst = dst;
  o.src_port = view->src_port();
  o.dst_port = view->dst_port();
  o.seq = view->seq().raw();
  o.ack = view->ack().raw();
  o.flags = view->flags();
  o.ae = (bytes[12] & 0x01) != 0;
  o.reserved = static_cast<uint8_t>((bytes[12] >> 1) & 0x07);
  o.window = view->window();
  o.urgent = view->urgent_pointer();
  o.header_length = view->header_length();
  absl::StatusOr<std::vector<RawOption>> options = DecodeOptions(view->options());
  if (!options.ok()) return options.status();
  o.options = *std::move(options);
  o.payload.assign(view->payload().begin(), view->payload().end());
  o.checksum_ok = wire::TcpChecksumOk(src, dst, bytes);
  return o;
}

}  // namespace tcpaas::conformance
