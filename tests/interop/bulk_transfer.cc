#include "tests/interop/bulk_transfer.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"
#include "stack/runtime/clock.h"
#include "tests/support/pattern_stream.h"

namespace tcpaas::interop {

std::string TransferResult::Summary() const {
  double seconds = elapsed.seconds();
  double mbit = seconds > 0 ? static_cast<double>(bytes) * 8 / seconds / 1e6 : 0;
  return absl::StrFormat("%.1f MiB in %.2fs = %.1f Mbit/s", static_cast<double>(bytes) / (1 << 20),
                         seconds, mbit);
}

TransferResult SendPattern(uint64_t seed, uint64_t total, size_t chunk, const WriteFn& write) {
  TransferResult result;
  test::PatternStream pattern(seed);
  test::Sha256 hash;
  std::vector<uint8_t> buf(chunk);
  Instant start = runtime::MonotonicNow();
  while (result.bytes < total) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(chunk, total - result.bytes));
    auto piece = absl::MakeSpan(buf.data(), n);
    pattern.Fill(piece);
    result.status = write(piece);
    if (!result.status.ok()) break;
    hash.Update(piece);
    result.bytes += n;
  }
  result.elapsed = runtime::MonotonicNow() - start;
  result.sha256 = test::Sha256::Hex(hash.Finish());
  return result;
}

TransferResult ReceivePattern(uint64_t seed, size_t chunk, const ReadFn& read) {
  TransferResult result;
  test::PatternStream pattern(seed);
  test::Sha256 hash;
  std::vector<uint8_t> buf(chunk);
  Instant start = runtime::MonotonicNow();
  for (;;) {
    auto n = read(absl::MakeSpan(buf));
    if (!n.ok()) {
      result.status = n.status();
      break;
    }
    if (*n == 0) break;
    auto piece = absl::MakeConstSpan(buf.data(), *n);
    hash.Update(piece);
    std::optional<uint64_t> bad = pattern.Check(piece);
    if (bad && !result.first_mismatch) result.first_mismatch = bad;
    result.bytes += *n;
  }
  result.elapsed = runtime::MonotonicNow() - start;
  result.sha256 = test::Sha256::Hex(hash.Finish());
  return result;
}

}  // namespace tcpaas::interop
