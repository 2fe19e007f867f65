#include "wal/commit_delay.h"

#include <gtest/gtest.h>

namespace tracklake::wal {
namespace {

using std::chrono::microseconds;
using Clock = CommitDelay::Clock;
constexpr Clock::duration kZero = Clock::duration::zero();
constexpr microseconds kDelay{500};
constexpr uint64_t kEventBytes = 1100;

// Small groups `gap` apart, as light open-loop traffic makes them.
void TakeSmallGroups(CommitDelay& d, int groups, Clock::duration gap, Clock::time_point& t) {
  for (int i = 0; i < groups; ++i) {
    t += gap;
    d.Took(1, kEventBytes, t);
  }
}

TEST(CommitDelayPolicyTest, ZeroDelayNeverWaits) {
  CommitDelay d(microseconds{0});
  Clock::time_point t{};
  TakeSmallGroups(d, 4, microseconds{250}, t);
  EXPECT_FALSE(d.enabled());
  EXPECT_EQ(d.WaitBeforeTaking(1, kEventBytes, kZero, kZero), kZero);
}

TEST(CommitDelayPolicyTest, OneSmallGroupAloneStartsNothing) {
  CommitDelay d(kDelay);
  Clock::time_point t{};
  TakeSmallGroups(d, 1, microseconds{250}, t);
  EXPECT_FALSE(d.delaying());
  EXPECT_EQ(d.WaitBeforeTaking(1, kEventBytes, kZero, kZero), kZero);
}

TEST(CommitDelayPolicyTest, TheWaitCountsFromTheOldestAppendsArrival) {
  CommitDelay d(kDelay);
  Clock::time_point t{};
  TakeSmallGroups(d, 3, microseconds{250}, t);  // 4,000 appends/s: two expected within 500 us
  ASSERT_TRUE(d.delaying());
  EXPECT_NEAR(d.append_rate(), 4000, 1);
  EXPECT_EQ(d.WaitBeforeTaking(1, kEventBytes, kZero, kZero), Clock::duration(kDelay));
  // The append waited 300 us behind the previous sync: 200 us are left.
  EXPECT_EQ(d.WaitBeforeTaking(2, 2 * kEventBytes, kZero, microseconds{300}), Clock::duration(microseconds{200}));
  EXPECT_EQ(d.WaitBeforeTaking(2, 2 * kEventBytes, kZero, kDelay), kZero);
  EXPECT_EQ(d.WaitBeforeTaking(2, 2 * kEventBytes, kZero, microseconds{900}), kZero);
}

TEST(CommitDelayPolicyTest, AWriterIdleLongerThanTheDelayDoesNotWait) {
  CommitDelay d(kDelay);
  Clock::time_point t{};
  TakeSmallGroups(d, 3, microseconds{250}, t);
  EXPECT_GT(d.WaitBeforeTaking(1, kEventBytes, microseconds{499}, kZero), kZero);
  EXPECT_EQ(d.WaitBeforeTaking(1, kEventBytes, kDelay, kZero), kZero);
}

TEST(CommitDelayPolicyTest, ABigGroupIsNeverDelayed) {
  CommitDelay d(kDelay);
  Clock::time_point t{};
  TakeSmallGroups(d, 3, microseconds{250}, t);
  EXPECT_EQ(d.WaitBeforeTaking(4, 4 * kEventBytes, kZero, kZero), kZero);  // appends
  EXPECT_EQ(d.WaitBeforeTaking(1, 64 << 10, kZero, kZero), kZero);         // bytes
}

TEST(CommitDelayPolicyTest, ABigTakenGroupEndsTheDelay) {
  CommitDelay d(kDelay);
  Clock::time_point t{};
  TakeSmallGroups(d, 3, microseconds{250}, t);
  t += kDelay;
  d.Took(15, 15 * kEventBytes, t);  // delayed groups may grow up to this
  EXPECT_TRUE(d.delaying());
  t += kDelay;
  d.Took(16, 16 * kEventBytes, t);
  EXPECT_FALSE(d.delaying());
  EXPECT_EQ(d.WaitBeforeTaking(1, kEventBytes, kZero, kZero), kZero);
}

TEST(CommitDelayPolicyTest, AppendsTooRareToGatherAnyoneAreNotDelayed) {
  CommitDelay d(kDelay);
  Clock::time_point t{};
  TakeSmallGroups(d, 6, microseconds{1000}, t);  // 1,000/s: 0.5 expected within 500 us
  EXPECT_TRUE(d.delaying());
  EXPECT_NEAR(d.append_rate(), 1000, 1);
  EXPECT_EQ(d.WaitBeforeTaking(1, kEventBytes, kZero, kZero), kZero);
}

}  // namespace
}  // namespace tracklake::wal
