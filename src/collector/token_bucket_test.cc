#include "collector/token_bucket.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

TEST(TokenBucket, AllowsBurstThenRefusesWithRetryAfter) {
  TokenBucket b(10, 20);
  double retry = 0;
  EXPECT_TRUE(b.TryTake(20, 0, retry));
  EXPECT_FALSE(b.TryTake(5, 0, retry));
  EXPECT_DOUBLE_EQ(retry, 0.5);
  EXPECT_TRUE(b.TryTake(5, 0.5, retry));
}

TEST(TokenBucket, RefillsAtRateUpToBurst) {
  TokenBucket b(100, 50);
  double retry = 0;
  EXPECT_TRUE(b.TryTake(50, 0, retry));
  EXPECT_FALSE(b.TryTake(50, 0.4, retry));  // 40 tokens back
  EXPECT_TRUE(b.TryTake(50, 10, retry));    // capped at the burst, then taken
  EXPECT_FALSE(b.TryTake(1, 10, retry));
}

TEST(TokenBucket, RequestLargerThanBurstPassesWhenFullAndLeavesDebt) {
  TokenBucket b(10, 10);
  double retry = 0;
  EXPECT_TRUE(b.TryTake(100, 0, retry));
  EXPECT_FALSE(b.TryTake(1, 5, retry));  // 100 - 10 = 90 in debt, 50 repaid
  EXPECT_TRUE(b.TryTake(1, 10, retry));
}

}  // namespace
}  // namespace tracklake
