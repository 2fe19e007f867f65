#include "wal/log_id.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/file_util.h"
#include "common/test_path.h"

namespace tracklake {
namespace {

namespace fs = std::filesystem;

class LogIdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestPath("logid");
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string File() const { return (dir_ / kLogIdFile).string(); }
  fs::path dir_;
};

TEST(LogIdFormat, EightLowercaseHexDigits) {
  EXPECT_TRUE(IsValidLogId("0a1b2c3d"));
  EXPECT_FALSE(IsValidLogId(""));
  EXPECT_FALSE(IsValidLogId("0a1b2c3"));
  EXPECT_FALSE(IsValidLogId("0a1b2c3d4"));
  EXPECT_FALSE(IsValidLogId("0A1B2C3D"));
  EXPECT_FALSE(IsValidLogId("0a1b/c3d"));
}

TEST_F(LogIdTest, ANewLogGetsAnIdThatIsKeptInItsDirectory) {
  Result<std::string> first = LoadOrCreateLogId(dir_.string(), /*log_is_new=*/true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(IsValidLogId(*first)) << *first;
  Result<std::string> stored = ReadFile(File());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, *first + "\n");
  // Read back, whether the log still counts as new (no record yet) or not.
  EXPECT_EQ(LoadOrCreateLogId(dir_.string(), true).value(), *first);
  EXPECT_EQ(LoadOrCreateLogId(dir_.string(), false).value(), *first);
}

TEST_F(LogIdTest, NewLogsInDifferentDirectoriesGetDifferentIds) {
  const fs::path other = dir_ / "other";
  fs::create_directories(other);
  const std::string a = LoadOrCreateLogId(dir_.string(), true).value();
  const std::string b = LoadOrCreateLogId(other.string(), true).value();
  EXPECT_NE(a, b);  // 32 random bits: equal once in four billion
}

TEST_F(LogIdTest, ALogFromBeforeLogIdsKeepsTheEmptyIdAndGetsNoFile) {
  Result<std::string> id = LoadOrCreateLogId(dir_.string(), /*log_is_new=*/false);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "");
  EXPECT_FALSE(fs::exists(File()));
}

TEST_F(LogIdTest, ADamagedIdIsAnErrorNamingTheFile) {
  std::ofstream(File()) << "not-an-id\n";
  Result<std::string> id = LoadOrCreateLogId(dir_.string(), true);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find(File()), std::string::npos) << id.status().message();
  EXPECT_EQ(ReadFile(File()).value(), "not-an-id\n");  // left for the operator to look at
}

}  // namespace
}  // namespace tracklake
