#include "dedup/id_window.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "dedup/flat_map64.h"

namespace tracklake {
namespace {

TEST(FlatMap64, AgreesWithStdSetThroughInsertsAndErasesAcrossGrowth) {
  struct None {};
  FlatMap64<None> map(16);
  std::set<uint64_t> reference;
  std::mt19937_64 rng(7);
  // Keys from a small range, so probe runs collide, wrap around the table's end and shift back.
  for (int step = 0; step < 200'000; ++step) {
    const uint64_t key = 1 + rng() % 5'000;
    if (rng() % 3 == 0) {
      EXPECT_EQ(map.Erase(key), reference.erase(key) == 1);
    } else if (!map.Contains(key)) {
      map.Insert(key);
      reference.insert(key);
    }
    if (step % 10'000 == 0) {
      for (uint64_t k = 1; k <= 5'000; ++k) ASSERT_EQ(map.Contains(k), reference.count(k) == 1) << k;
    }
  }
  EXPECT_EQ(map.size(), reference.size());
  EXPECT_LE(10 * map.size(), 7 * map.slots());
}

TEST(FlatMap64, KeepsValuesWithTheirKeysWhenEntriesShift) {
  FlatMap64<uint64_t> map(16);
  for (uint64_t k = 1; k <= 1'000; ++k) map.Insert(k * 16, k);  // all share low bits: one long run
  for (uint64_t k = 1; k <= 1'000; k += 2) ASSERT_TRUE(map.Erase(k * 16));
  for (uint64_t k = 2; k <= 1'000; k += 2) {
    const uint64_t* v = map.Find(k * 16);
    ASSERT_NE(v, nullptr) << k;
    EXPECT_EQ(*v, k);
  }
  EXPECT_EQ(map.Find(16), nullptr);
}

TEST(IdWindow, IdsLeaveOnceOlderThanTheWindow) {
  IdWindow w(/*window_s=*/600, /*max_ids=*/1'000'000);
  w.Insert(11, 1'000);
  w.Insert(12, 1'000);
  w.Insert(13, 1'300);
  w.Expire(1'599);
  EXPECT_TRUE(w.Contains(11) && w.Contains(12) && w.Contains(13));
  w.Expire(1'600);  // 1,000 + 600: the first second's ids are out
  EXPECT_FALSE(w.Contains(11) || w.Contains(12));
  EXPECT_TRUE(w.Contains(13));
  w.Expire(5'000);
  EXPECT_EQ(w.size(), 0u);
  w.Insert(11, 5'000);  // the ring and its marks start again cleanly
  w.Expire(5'599);
  EXPECT_TRUE(w.Contains(11));
}

TEST(IdWindow, ATakenBackInsertFreesTheIdAndItsLaterInsertKeepsItsOwnTime) {
  IdWindow w(600, 1'000'000);
  const uint64_t first = w.Insert(42, 1'000);
  w.Forget(first, 42);
  EXPECT_FALSE(w.Contains(42));
  w.Insert(42, 1'500);
  w.Expire(1'600);  // the taken-back slot of second 1,000 expires without touching the new one
  EXPECT_TRUE(w.Contains(42));
  w.Expire(2'100);
  EXPECT_FALSE(w.Contains(42));
}

TEST(IdWindow, AtMaxIdsTheOldestLeaveFirstAndAreCounted) {
  IdWindow w(600, 3);
  for (uint64_t h = 1; h <= 5; ++h) w.Insert(h, 1'000 + static_cast<int64_t>(h));
  EXPECT_EQ(w.size(), 3u);
  EXPECT_FALSE(w.Contains(1) || w.Contains(2));
  EXPECT_TRUE(w.Contains(3) && w.Contains(4) && w.Contains(5));
  EXPECT_EQ(w.evicted_early(), 2u);
  w.Expire(1'604);  // marks still right after evictions: 3 and 4 out, 5 in
  EXPECT_FALSE(w.Contains(3) || w.Contains(4));
  EXPECT_TRUE(w.Contains(5));
}

}  // namespace
}  // namespace tracklake
