// ASSERT_OK / EXPECT_OK for absl::Status expressions, printing the status on failure.
#ifndef TCPAAS_TESTS_INTEROP_STATUS_ASSERTIONS_H_
#define TCPAAS_TESTS_INTEROP_STATUS_ASSERTIONS_H_

#include "absl/status/status.h"
#include "gtest/gtest.h"

#define ASSERT_OK(expr)                                    \
  do {                                                     \
    const absl::Status _status = (expr);                   \
    ASSERT_TRUE(_status.ok()) << #expr << ": " << _status; \
  } while (0)
#define EXPECT_OK(expr)                                    \
  do {                                                     \
    const absl::Status _status = (expr);                   \
    EXPECT_TRUE(_status.ok()) << #expr << ": " << _status; \
  } while (0)

#endif  // TCPAAS_TESTS_INTEROP_STATUS_ASSERTIONS_H_
