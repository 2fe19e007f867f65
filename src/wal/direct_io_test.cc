#include "wal/direct_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/test_path.h"

namespace tracklake::wal {
namespace {

namespace fs = std::filesystem;

class SegmentAppenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TestPath("direct-io").string();
    bool direct = true;
    fd_ = OpenMaybeDirect(path_, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, &direct);
    ASSERT_GE(fd_, 0);
    if (!direct) GTEST_SKIP() << "the filesystem of " << path_ << " refuses O_DIRECT";
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
    fs::remove(path_);
  }
  std::string FileBytes() const {
    std::ifstream f(path_, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  std::string path_;
  int fd_ = -1;
};

// Stages and writes chunk, the way the log commits a group.
Status Append(SegmentAppender& appender, int fd, std::string_view chunk) {
  std::memcpy(appender.Extend(chunk.size()), chunk.data(), chunk.size());
  return appender.WriteDirect(fd);
}

TEST_F(SegmentAppenderTest, AppendsOfAnySizeLandBackToBackWithZerosToTheBlockEnd) {
  SegmentAppender appender;
  std::mt19937 rng(7);
  std::string expected;
  for (int i = 0; i < 60; ++i) {
    // Sizes that stay inside a block, cross one, and span several.
    const size_t n = std::uniform_int_distribution<size_t>(1, i % 3 == 0 ? 20000 : 700)(rng);
    std::string chunk(n, '\0');
    for (char& c : chunk) c = static_cast<char>('a' + rng() % 26);
    ASSERT_TRUE(Append(appender, fd_, chunk).ok());
    expected += chunk;
    const std::string file = FileBytes();
    ASSERT_EQ(file.size() % kDirectAlign, 0u);
    ASSERT_EQ(file.substr(0, expected.size()), expected) << "after append " << i;
    ASSERT_EQ(file.find_first_not_of('\0', expected.size()), std::string::npos);
  }
}

TEST_F(SegmentAppenderTest, DiscardedBytesAreNotWrittenAndANewSegmentStartsAtZero) {
  SegmentAppender appender;
  ASSERT_TRUE(Append(appender, fd_, "abc").ok());
  std::memcpy(appender.Extend(3), "xyz", 3);
  appender.Discard();  // a failed write: the log gives these records' numbers back
  EXPECT_TRUE(Append(appender, fd_, "d").ok());
  EXPECT_EQ(FileBytes().substr(0, 5), std::string("abcd\0", 5));
  appender.Reset();  // a new segment starts at 0
  EXPECT_TRUE(Append(appender, fd_, "z").ok());
  EXPECT_EQ(FileBytes().substr(0, 5), std::string("z\0\0\0\0", 5));
}

// Small appends into a new, reserved segment: the file grows in steps of kZeroAheadBytes of zeros
// written ahead of them (so most appends land in written blocks), never past the reservation;
// past it, appends go on growing the file block by block.
TEST_F(SegmentAppenderTest, ZerosAheadOfSmallAppendsGrowTheFileInStepsUpToTheReservedEnd) {
  constexpr uint64_t kReserved = 3 * SegmentAppender::kZeroAheadBytes + 3 * kDirectAlign;
  SegmentAppender appender;
  appender.Reset(0, kReserved);
  std::string expected;
  uint64_t size = 0;
  int growths = 0;
  for (int i = 0; expected.size() < kReserved + 100'000; ++i) {
    const std::string chunk(20'000 + i % 7 * 1000, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(Append(appender, fd_, chunk).ok());
    expected += chunk;
    const uint64_t now = fs::file_size(path_);
    if (expected.size() <= kReserved - kDirectAlign) {
      ASSERT_LE(now, kReserved) << "zeros past the reserved end after append " << i;
      ASSERT_LE(now, AlignUp(expected.size(), kDirectAlign) + SegmentAppender::kZeroAheadBytes)
          << "one step ahead at most";
      ASSERT_GE(now, std::min<uint64_t>(kReserved, expected.size() + SegmentAppender::kZeroAheadBytes / 4));
    } else if (expected.size() > kReserved) {
      ASSERT_EQ(now, AlignUp(expected.size(), kDirectAlign)) << "past the reserved end: no zeros ahead";
    }
    growths += now != size;
    size = now;
  }
  EXPECT_LE(growths, 4 + 5) << "the reserved part grows a step at a time, then a few appends past it";
  const std::string file = FileBytes();
  EXPECT_EQ(file.substr(0, expected.size()), expected);
  EXPECT_EQ(file.find_first_not_of('\0', expected.size()), std::string::npos);
}

TEST_F(SegmentAppenderTest, NoZerosAheadWithoutAReservationOrAfterABigWrite) {
  SegmentAppender appender;
  ASSERT_TRUE(Append(appender, fd_, "abc").ok());  // Reset() state: nothing reserved
  EXPECT_EQ(fs::file_size(path_), kDirectAlign);
  appender.Reset(0, 64 << 20);
  ASSERT_TRUE(Append(appender, fd_, std::string(SegmentAppender::kZeroAheadBelowWrite, 'b')).ok());
  EXPECT_EQ(fs::file_size(path_), SegmentAppender::kZeroAheadBelowWrite);
  // A recycled segment's blocks are written already: no zeros until its old end comes near.
  appender.Reset(8 << 20, 64 << 20);
  ASSERT_TRUE(Append(appender, fd_, "c").ok());
  EXPECT_EQ(FileBytes().substr(0, 2), std::string("c\0", 2));
  EXPECT_EQ(FileBytes()[kDirectAlign], 'b');
}

TEST_F(SegmentAppenderTest, AReadTheFilesystemRefusesDirectGoesThroughThePageCache) {
  SegmentAppender appender;
  ASSERT_TRUE(Append(appender, fd_, "0123456789").ok());
  bool direct = true;
  const int fd = OpenMaybeDirect(path_, O_RDONLY | O_CLOEXEC, 0, &direct);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(direct);
  char buf[8] = {};
  // An unaligned offset and buffer: refused with EINVAL by a direct read.
  EXPECT_EQ(ReadAt(fd, buf + 1, 4, 3), 4);
  EXPECT_EQ(std::string(buf + 1, 4), "3456");
  EXPECT_EQ(::fcntl(fd, F_GETFL) & O_DIRECT, 0);
  ::close(fd);
}

}  // namespace
}  // namespace tracklake::wal
