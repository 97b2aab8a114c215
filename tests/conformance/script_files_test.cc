#include "tests/conformance/script_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace tcpaas::conformance {
namespace {

namespace fs = std::filesystem;

class ScriptFilesTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tcpaas_script_files_" + std::to_string(getpid()));
    fs::create_directories(dir_ / "b" / "c");
    for (const char* f : {"b/c/z.pkt", "b/a.pkt", "b/notes.txt", "top.pkt"}) {
      std::ofstream(dir_ / f) << "0 close(3) = 0\n";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ScriptFilesTest, DirectoriesAreSearchedRecursivelyForPktFilesInOrder) {
  absl::StatusOr<std::vector<std::string>> got =
      CollectScripts({(dir_ / "b").string(), (dir_ / "top.pkt").string()});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0], (dir_ / "b" / "a.pkt").string());
  EXPECT_EQ((*got)[1], (dir_ / "b" / "c" / "z.pkt").string());
  EXPECT_EQ((*got)[2], (dir_ / "top.pkt").string());
}

TEST_F(ScriptFilesTest, MissingPathIsAnError) {
  EXPECT_FALSE(CollectScripts({(dir_ / "nope").string()}).ok());
}

}  // namespace
}  // namespace tcpaas::conformance
