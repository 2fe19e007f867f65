#include "common/backoff.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesUpToItsDoublingsAndItsMaximum) {
  const Backoff b{milliseconds(100), milliseconds(5000), 20};
  EXPECT_EQ(b.Bound(0), milliseconds(100));
  EXPECT_EQ(b.Bound(1), milliseconds(200));
  EXPECT_EQ(b.Bound(5), milliseconds(3200));
  EXPECT_EQ(b.Bound(6), milliseconds(5000));
  EXPECT_EQ(b.Bound(1000), milliseconds(5000));
  EXPECT_EQ(b.Bound(-1), milliseconds(100));
  const Backoff few{milliseconds(100), milliseconds::max(), 3};
  EXPECT_EQ(few.Bound(3), milliseconds(800));
  EXPECT_EQ(few.Bound(50), milliseconds(800));
}

TEST(Backoff, SaturatesInsteadOfOverflowing) {
  const Backoff b{milliseconds(1), milliseconds::max(), 1000};
  EXPECT_EQ(b.Bound(62), milliseconds(int64_t{1} << 62));
  EXPECT_EQ(b.Bound(63), milliseconds(int64_t{1} << 62));
  const Backoff big{milliseconds(int64_t{1} << 40), milliseconds::max(), 1000};
  EXPECT_EQ(big.Bound(30), milliseconds::max());
  EXPECT_EQ((Backoff{milliseconds(0), milliseconds::max(), 5}.Bound(3)), milliseconds(0));
}

TEST(Backoff, JitterStaysWithinItsRangeAndVaries) {
  const Backoff b{milliseconds(100), milliseconds(30'000), 30};
  std::mt19937_64 rng(28);
  for (int retry = 0; retry < 40; ++retry) {
    const milliseconds bound = b.Bound(retry);
    bool equal_varies = false;
    bool full_varies = false;
    const milliseconds first_equal = b.EqualJitter(retry, rng);
    const milliseconds first_full = b.FullJitter(retry, rng);
    for (int i = 0; i < 20; ++i) {
      const milliseconds equal = b.EqualJitter(retry, rng);
      const milliseconds full = b.FullJitter(retry, rng);
      EXPECT_GE(equal, bound / 2);
      EXPECT_LE(equal, bound);
      EXPECT_GE(full, milliseconds(0));
      EXPECT_LE(full, bound);
      equal_varies = equal_varies || equal != first_equal;
      full_varies = full_varies || full != first_full;
    }
    EXPECT_TRUE(equal_varies && full_varies) << retry;
  }
}

}  // namespace
}  // namespace tracklake
