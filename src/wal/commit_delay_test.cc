#include "wal/commit_delay.h"

#include <gtest/gtest.h>

namespace tracklake::wal {
namespace {

using std::chrono::microseconds;
using Clock = CommitDelay::Clock;
constexpr Clock::duration kZero = Clock::duration::zero();
constexpr microseconds kDelay{500};
constexpr uint64_t kEventBytes = 1100;

// The policy after `groups` small groups taken `gap` apart, as light open-loop traffic makes
// them; *end (if given) is when the last was taken.
CommitDelay AfterSmallGroups(microseconds delay, int groups, microseconds gap, Clock::time_point* end = nullptr) {
  CommitDelay d(delay);
  Clock::time_point t{};
  for (int i = 0; i < groups; ++i) {
    t += gap;
    d.Took(1, kEventBytes, t);
  }
  if (end != nullptr) *end = t;
  return d;
}

// 4,000 appends/s: two expected within the 500 us delay.
CommitDelay LightTraffic(Clock::time_point* end = nullptr) {
  return AfterSmallGroups(kDelay, 3, microseconds{250}, end);
}

// The wait for one small append that has just arrived at a writer that found it waiting.
Clock::duration WaitForOne(const CommitDelay& d) { return d.WaitBeforeTaking(1, kEventBytes, kZero, kZero); }

TEST(CommitDelayPolicyTest, ZeroDelayNeverWaits) {
  const CommitDelay d = AfterSmallGroups(microseconds{0}, 4, microseconds{250});
  EXPECT_FALSE(d.enabled());
  EXPECT_EQ(WaitForOne(d), kZero);
}

TEST(CommitDelayPolicyTest, OneSmallGroupAloneStartsNothing) {
  const CommitDelay d = AfterSmallGroups(kDelay, 1, microseconds{250});
  EXPECT_FALSE(d.delaying());
  EXPECT_EQ(WaitForOne(d), kZero);
}

TEST(CommitDelayPolicyTest, TheWaitCountsFromTheOldestAppendsArrival) {
  const CommitDelay d = LightTraffic();
  ASSERT_TRUE(d.delaying());
  EXPECT_NEAR(d.append_rate(), 4000, 1);
  EXPECT_EQ(WaitForOne(d), Clock::duration(kDelay));
  // The append waited 300 us behind the previous sync: 200 us are left.
  EXPECT_EQ(d.WaitBeforeTaking(2, 2 * kEventBytes, kZero, microseconds{300}), Clock::duration(microseconds{200}));
  EXPECT_EQ(d.WaitBeforeTaking(2, 2 * kEventBytes, kZero, kDelay), kZero);
  EXPECT_EQ(d.WaitBeforeTaking(2, 2 * kEventBytes, kZero, microseconds{900}), kZero);
}

TEST(CommitDelayPolicyTest, AWriterIdleLongerThanTheDelayDoesNotWait) {
  const CommitDelay d = LightTraffic();
  EXPECT_GT(d.WaitBeforeTaking(1, kEventBytes, microseconds{499}, kZero), kZero);
  EXPECT_EQ(d.WaitBeforeTaking(1, kEventBytes, kDelay, kZero), kZero);
}

TEST(CommitDelayPolicyTest, ABigGroupIsNeverDelayed) {
  const CommitDelay d = LightTraffic();
  EXPECT_EQ(d.WaitBeforeTaking(4, 4 * kEventBytes, kZero, kZero), kZero);  // appends
  EXPECT_EQ(d.WaitBeforeTaking(1, 64 << 10, kZero, kZero), kZero);         // bytes
}

TEST(CommitDelayPolicyTest, ABigTakenGroupEndsTheDelay) {
  Clock::time_point t;
  CommitDelay d = LightTraffic(&t);
  t += kDelay;
  d.Took(15, 15 * kEventBytes, t);  // delayed groups may grow up to this
  EXPECT_TRUE(d.delaying());
  t += kDelay;
  d.Took(16, 16 * kEventBytes, t);
  EXPECT_FALSE(d.delaying());
  EXPECT_EQ(WaitForOne(d), kZero);
}

TEST(CommitDelayPolicyTest, AppendsTooRareToGatherAnyoneAreNotDelayed) {
  const CommitDelay d = AfterSmallGroups(kDelay, 6, microseconds{1000});  // 1,000/s: 0.5 expected within 500 us
  EXPECT_TRUE(d.delaying());
  EXPECT_NEAR(d.append_rate(), 1000, 1);
  EXPECT_EQ(WaitForOne(d), kZero);
}

}  // namespace
}  // namespace tracklake::wal
