// Features of a script the executor cannot run, found before running it, so the verdict names
// the reason instead of failing on the first line that needs the feature.
#ifndef TCPAAS_TESTS_CONFORMANCE_SUPPORT_CHECK_H_
#define TCPAAS_TESTS_CONFORMANCE_SUPPORT_CHECK_H_

#include <optional>
#include <string>

#include "tests/conformance/script.h"

namespace tcpaas::conformance {

// "line N: <reason>" for the first unsupported feature, or nullopt.
std::optional<std::string> FindUnsupportedFeature(const Script& script);

}  // namespace tcpaas::conformance

#endif  // TCPAAS_TESTS_CONFORMANCE_SUPPORT_CHECK_H_
