#include "common/thread_priority.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <thread>

namespace tracklake {
namespace {

int ThreadNice() { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); }

TEST(ThreadPriorityTest, LowersOnlyTheCallingThread) {
  const int before = ThreadNice();
  int lowered = -100;
  int sibling = -100;
  std::thread t([&] {
    ASSERT_TRUE(LowerThreadPriority(before + 5).ok());
    lowered = ThreadNice();
  });
  t.join();
  std::thread([&] { sibling = ThreadNice(); }).join();
  EXPECT_EQ(lowered, before + 5);
  EXPECT_EQ(ThreadNice(), before);
  EXPECT_EQ(sibling, before);
}

}  // namespace
}  // namespace tracklake
