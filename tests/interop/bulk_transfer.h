// One direction of a bulk transfer, independent of which end (kernel socket or our stack)
// does the I/O: the sender writes a PatternStream, the receiver reads until EOF, and both
// hash what went through them with SHA-256.
#ifndef TCPAAS_TESTS_INTEROP_BULK_TRANSFER_H_
#define TCPAAS_TESTS_INTEROP_BULK_TRANSFER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "stack/base/time.h"
#include "tests/support/sha256.h"

namespace tcpaas::interop {

// Writes all of `data` or fails.
using WriteFn = std::function<absl::Status(absl::Span<const uint8_t> data)>;
// Reads some bytes; 0 means EOF.
using ReadFn = std::function<absl::StatusOr<size_t>(absl::Span<uint8_t> out)>;

struct TransferResult {
  absl::Status status;  // the first error, if any
  uint64_t bytes = 0;   // bytes written (sender) or read (receiver)
  std::string sha256;   // hex digest of those bytes
  // Receiver only: the stream offset of the first byte that differs from the pattern.
  std::optional<uint64_t> first_mismatch;
  Duration elapsed;
  // "64.0 MiB in 2.31s = 232.4 Mbit/s"
  std::string Summary() const;
};

// Sends `total` bytes of PatternStream(seed) in pieces of `chunk` bytes.
TransferResult SendPattern(uint64_t seed, uint64_t total, size_t chunk, const WriteFn& write);
// Reads until EOF (or an error), checking the bytes against PatternStream(seed).
TransferResult ReceivePattern(uint64_t seed, size_t chunk, const ReadFn& read);

}  // namespace tcpaas::interop

#endif  // TCPAAS_TESTS_INTEROP_BULK_TRANSFER_H_
