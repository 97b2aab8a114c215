// gtest main shared by every unit-test binary: it parses absl flags too, so tests may
// declare flags (seed overrides and the like).
#include "absl/flags/parse.h"
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  return RUN_ALL_TESTS();
}
