#include "common/file_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "common/test_path.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

class CreateDirsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = TestPath("create-dirs");
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(CreateDirsTest, CreatesEveryMissingLevelAndAcceptsAnExistingDirectory) {
  const fs::path deep = root_ / "event_type=click" / "date=2026-11-27" / "hour=12";
  ASSERT_TRUE(CreateDirs(deep.string()).ok());
  EXPECT_TRUE(fs::is_directory(deep));
  EXPECT_TRUE(CreateDirs(deep.string()).ok());
  EXPECT_TRUE(CreateDirs((root_ / "a" / "b" / "").string()).ok());
  EXPECT_TRUE(fs::is_directory(root_ / "a" / "b"));
}

TEST_F(CreateDirsTest, AFileInThePathIsAnErrorNamingThePath) {
  std::ofstream(root_ / "file") << "x";
  const Status under = CreateDirs((root_ / "file" / "sub").string());
  EXPECT_FALSE(under.ok());
  EXPECT_NE(under.ToString().find("file/sub"), std::string::npos) << under.ToString();
  const Status itself = CreateDirs((root_ / "file").string());
  EXPECT_FALSE(itself.ok());
}

// Two deliveries may create the same new partition at once (the background and the catch-up
// thread): both succeed.
TEST_F(CreateDirsTest, ConcurrentCreatorsOfTheSameTreeBothSucceed) {
  for (int round = 0; round < 20; ++round) {
    const fs::path deep = root_ / std::to_string(round) / "x" / "y" / "z";
    std::vector<Status> results(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < results.size(); ++t) {
      threads.emplace_back([&, t] { results[t] = CreateDirs(deep.string()); });
    }
    for (auto& t : threads) t.join();
    for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(fs::is_directory(deep));
  }
}

TEST_F(CreateDirsTest, ReadFileReadsAWholeFileAndCallsAMissingOneNotFound) {
  const fs::path file = root_ / "data";
  const std::string big(200'000, 'x');  // more than one read
  std::ofstream(file, std::ios::binary) << big;
  Result<std::string> read = ReadFile(file.string());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, big);
  Result<std::string> missing = ReadFile((root_ / "missing").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos);
  EXPECT_EQ(ReadFile(root_.string()).status().code(), Status::Code::kIoError);  // a directory: not "missing"
}

}  // namespace
}  // namespace tracklake
