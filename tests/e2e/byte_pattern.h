// Deterministic test payloads: the byte at any offset of stream `seed` can be computed alone,
// so senders generate data chunk by chunk and receivers check it without keeping it.
#ifndef TCPAAS_TESTS_E2E_BYTE_PATTERN_H_
#define TCPAAS_TESTS_E2E_BYTE_PATTERN_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace tcpaas::e2e {

// `length` bytes of stream `seed`, starting at `offset`.
std::string PatternBytes(uint64_t seed, uint64_t offset, size_t length);

}  // namespace tcpaas::e2e

#endif  // TCPAAS_TESTS_E2E_BYTE_PATTERN_H_
