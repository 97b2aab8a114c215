// The %{ }% blocks of packetdrill scripts are Python run over a snapshot of tcp_info taken at
// the block's time. The corpus only asserts on tcpi_* values, so the runner evaluates that
// subset itself instead of running Python:
//   assert <test> [, <message>]        NAME = <test>
// separated by newlines or ';', with '\' continuations and '#' comments, where <test> has
// integers, names, ( ), + - * / // %, comparisons (chained), and, or, not. The message is
// not evaluated. Anything else makes the block unsupported.
#ifndef TCPAAS_TESTS_CONFORMANCE_CODE_BLOCK_H_
#define TCPAAS_TESTS_CONFORMANCE_CODE_BLOCK_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace tcpaas::conformance {

class CodeBlockEvaluator {
 public:
  struct Result {
    enum class Kind { kOk, kAssertionFailed, kUnsupported };
    Kind kind = Kind::kOk;
    std::string message;  // the failing assertion, or why the block cannot run
  };
  // The value of a name the block reads that it did not assign (tcpi_* fields, TCP_CA_*),
  // or nullopt when the runner has none.
  using Lookup = std::function<std::optional<int64_t>(absl::string_view name)>;

  // Runs one block. Names assigned stay defined for later blocks, as in one Python program.
  Result Run(absl::string_view code, const Lookup& lookup);

 private:
  absl::flat_hash_map<std::string, int64_t> globals_;
};

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_CODE_BLOCK_H_
