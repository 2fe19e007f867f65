#include "common/open_file_limit.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace tracklake {
namespace {

TEST(OpenFileLimit, ConnectionsLeaveTheReserveFree) {
  EXPECT_EQ(ConnectionsWithin(1 << 20, 10'000), 10'000u);  // room for all of them
  EXPECT_EQ(ConnectionsWithin(1024, 10'000), 1024u - 256u);
  EXPECT_EQ(ConnectionsWithin(64, 10'000), 48u);  // a quarter of a small limit is kept
  EXPECT_EQ(ConnectionsWithin(2, 10'000), 2u);    // a reserve of 0 (2 / 4), still one connection or more
  EXPECT_EQ(ConnectionsWithin(0, 10'000), 1u);
  EXPECT_EQ(ReservedDescriptors(1 << 20), 256u);
}

TEST(OpenFileLimit, TheSoftLimitIsRaisedToTheHardOne) {
  rlimit original{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
  if (original.rlim_max != RLIM_INFINITY && original.rlim_max <= 128) GTEST_SKIP() << "hard limit too low";
  rlimit lowered = original;
  lowered.rlim_cur = 128;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);

  Result<OpenFileLimit> limit = RaiseOpenFileLimit();
  ASSERT_TRUE(limit.ok()) << limit.status().ToString();
  EXPECT_EQ(limit->before, 128u);
  EXPECT_GT(limit->soft, 128u);
  if (original.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(limit->soft, original.rlim_max);  // raised to the hard one
  }
  rlimit now{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, limit->soft);

  // Raised already: nothing changes.
  Result<OpenFileLimit> again = RaiseOpenFileLimit();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->before, limit->soft);
  EXPECT_EQ(again->soft, limit->soft);
  ::setrlimit(RLIMIT_NOFILE, &original);
}

}  // namespace
}  // namespace tracklake
