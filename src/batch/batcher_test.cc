#include "batch/batcher.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kT0 = 1000 * kHour + 60'000;           // one minute into an hour
const std::string kP = "page_view/dt=1970-02-11/hr=16";  // the hour of kT0

WalPosition Pos(uint32_t size) { return WalPosition{1, 0, size}; }

TEST(Batcher, NothingIsDueBeforeAnyTrigger) {
  Batcher b(BatchLimits{1000, 60'000, 1 << 20, 10'000});
  b.Add(kP, 1, Pos(10), kT0);
  EXPECT_TRUE(b.TakeDue(kT0 + 59'999).empty());
  EXPECT_EQ(b.buffered_bytes(), 10u);
  EXPECT_EQ(b.MinOpenSeq(), 1u);
}

TEST(Batcher, CutsWhenBytesReachMaxBytes) {
  Batcher b(BatchLimits{100, 60'000, 1 << 20, 10'000});
  b.Add(kP, 1, Pos(60), kT0);
  EXPECT_TRUE(b.TakeDue(kT0).empty());
  b.Add(kP, 2, Pos(40), kT0);
  auto due = b.TakeDue(kT0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].first_seq, 1u);
  EXPECT_EQ(due[0].last_seq, 2u);
  EXPECT_EQ(due[0].positions.size(), 2u);
  EXPECT_EQ(b.buffered_bytes(), 0u);
  EXPECT_FALSE(b.MinOpenSeq());
}

TEST(Batcher, CutsWhenOldestEventReachesMaxAge) {
  Batcher b(BatchLimits{1 << 20, 60'000, 1 << 20, 10'000});
  b.Add(kP, 5, Pos(1), kT0);
  b.Add(kP, 6, Pos(1), kT0 + 30'000);
  ASSERT_EQ(b.TakeDue(kT0 + 60'000).size(), 1u);
}

TEST(Batcher, CutsWhenThePartitionHourIsOverPlusGrace) {
  Batcher b(BatchLimits{1 << 20, 3'600'000, 1 << 20, 10'000});
  b.Add(kP, 1, Pos(1), kT0);
  const int64_t hour_end = 1001 * kHour;
  EXPECT_TRUE(b.TakeDue(hour_end + 9'999).empty());
  EXPECT_EQ(b.TakeDue(hour_end + 10'000).size(), 1u);
}

TEST(Batcher, TotalBufferCapCutsLargestPartitionFirst) {
  Batcher b(BatchLimits{1 << 20, 600'000, 100, 10'000});
  b.Add("a/dt=1970-02-11/hr=16", 1, Pos(30), kT0);
  b.Add("b/dt=1970-02-11/hr=16", 2, Pos(80), kT0);
  auto due = b.TakeDue(kT0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].partition, "b/dt=1970-02-11/hr=16");
  EXPECT_EQ(b.buffered_bytes(), 30u);
}

TEST(Batcher, ReplayedSealCutsExactlyTheSealedPrefix) {
  Batcher b(BatchLimits{});
  b.Add(kP, 3, Pos(1), kT0);
  b.Add("other/dt=1970-02-11/hr=16", 4, Pos(1), kT0);
  b.Add(kP, 5, Pos(1), kT0);
  b.Add(kP, 7, Pos(1), kT0);
  auto cut = b.Cut(kP, 5);
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->first_seq, 3u);
  EXPECT_EQ(cut->last_seq, 5u);
  EXPECT_EQ(cut->positions.size(), 2u);
  auto rest = b.TakeAll();
  ASSERT_EQ(rest.size(), 2u);
  for (const Batch& r : rest) {
    if (r.partition == kP) {
      EXPECT_EQ(r.first_seq, 7u);
    }
  }
  EXPECT_FALSE(b.Cut(kP, 100));
}

}  // namespace
}  // namespace tracklake
