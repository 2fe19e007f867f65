#include "common/dir_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/test_path.h"

namespace tracklake {
namespace {

class DirectoryLockTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_ = TestPath("dir_lock");
};

TEST_F(DirectoryLockTest, ASecondHolderIsRefusedWithTheFirstsPid) {
  Result<DirectoryLock> first = DirectoryLock::Acquire(dir_, "the test directory");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Result<DirectoryLock> second = DirectoryLock::Acquire(dir_, "the test directory");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kUnavailable);
  const std::string message = second.status().ToString();
  EXPECT_NE(message.find("the test directory " + dir_ + " is in use by another process"), std::string::npos)
      << message;
  EXPECT_NE(message.find("(pid " + std::to_string(::getpid()) + ")"), std::string::npos) << message;
}

TEST_F(DirectoryLockTest, TheLockGoesWithItsHolder) {
  {
    Result<DirectoryLock> first = DirectoryLock::Acquire(dir_, "d");
    ASSERT_TRUE(first.ok());
    DirectoryLock moved = std::move(first).value();  // the moved-from object must not release it
    EXPECT_FALSE(DirectoryLock::Acquire(dir_, "d").ok());
  }
  EXPECT_TRUE(DirectoryLock::Acquire(dir_, "d").ok());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/LOCK"));
}

TEST_F(DirectoryLockTest, AnotherProcessHoldingItIsSeen) {
  int ready[2];
  int release[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(release), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<DirectoryLock> held = DirectoryLock::Acquire(dir_, "d");
    const char ok = held.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &ok, 1);
    char c;
    (void)!::read(release[0], &c, 1);
    ::_exit(0);
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y');
  Result<DirectoryLock> refused = DirectoryLock::Acquire(dir_, "d");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().ToString().find("(pid " + std::to_string(child) + ")"), std::string::npos);
  ASSERT_EQ(::write(release[1], "x", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(DirectoryLock::Acquire(dir_, "d").ok());  // released with the process
  for (int fd : {ready[0], ready[1], release[0], release[1]}) ::close(fd);
}

TEST_F(DirectoryLockTest, AMissingDirectoryIsAnError) {
  Result<DirectoryLock> r = DirectoryLock::Acquire(dir_ + "/missing", "d");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().ToString().find(dir_ + "/missing/LOCK"), std::string::npos);
}

}  // namespace
}  // namespace tracklake
