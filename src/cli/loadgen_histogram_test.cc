#include "cli/loadgen_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace tracklake {
namespace {

// The exact percentile of a sorted sample, with the histogram's rank rule (ceil(q * n)).
uint64_t ExactPercentile(const std::vector<uint64_t>& sorted, double pct) {
  const auto rank = static_cast<size_t>(std::max(1.0, std::ceil(pct / 100.0 * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

TEST(LatencyHistogramTest, EmptyHistogramReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.Count(), 0u);
  EXPECT_EQ(h.ValueAtPercentile(99), 0u);
  EXPECT_EQ(h.Max(), 0u);
  EXPECT_EQ(h.Min(), 0u);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h(5);
  for (uint64_t v = 0; v < 32; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtPercentile(50), 15u);
  EXPECT_EQ(h.ValueAtPercentile(100), 31u);
  EXPECT_EQ(h.Min(), 0u);
}

TEST(LatencyHistogramTest, EveryValueFallsInABucketWhoseBoundsContainIt) {
  for (int bits : {2, 5, 8, 12}) {
    LatencyHistogram h(bits);
    std::mt19937_64 rng(bits);
    for (int i = 0; i < 20000; ++i) {
      const uint64_t v = rng() >> (rng() % 64);
      const size_t b = h.BucketOf(v);
      EXPECT_GE(h.BucketUpperBound(b), v) << "bits " << bits << " value " << v;
      if (b > 0) {
        EXPECT_LT(h.BucketUpperBound(b - 1), v) << "bits " << bits << " value " << v;
      }
    }
    EXPECT_EQ(h.BucketUpperBound(h.BucketOf(UINT64_MAX)), UINT64_MAX);
  }
}

TEST(LatencyHistogramTest, PercentilesAreWithinTheRelativeErrorBound) {
  LatencyHistogram h;  // 8 bits: within 2^-7 of the true value
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency_ns(11.0, 1.5);  // median ~60 us, long tail
  std::vector<uint64_t> values;
  for (int i = 0; i < 100000; ++i) {
    values.push_back(static_cast<uint64_t>(latency_ns(rng)));
    h.Record(values.back());
  }
  std::sort(values.begin(), values.end());
  const double bound = 1.0 / 128;
  for (double pct : {1.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const double exact = static_cast<double>(ExactPercentile(values, pct));
    const double got = static_cast<double>(h.ValueAtPercentile(pct));
    EXPECT_GE(got, exact) << "p" << pct;  // never under-reports
    EXPECT_LE(got, exact * (1 + bound) + 1) << "p" << pct;
  }
  EXPECT_EQ(h.Max(), values.back());
  EXPECT_EQ(h.ValueAtPercentile(100), values.back());
  EXPECT_EQ(h.Count(), values.size());
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (uint64_t v = 1; v < 50000; v += 7) {
    (v % 3 == 0 ? a : b).Record(v * 13);
    all.Record(v * 13);
  }
  a.Merge(b);
  EXPECT_EQ(a.Count(), all.Count());
  EXPECT_EQ(a.Min(), all.Min());
  EXPECT_EQ(a.Max(), all.Max());
  EXPECT_DOUBLE_EQ(a.Mean(), all.Mean());
  for (double pct : {10.0, 50.0, 99.0, 99.9}) EXPECT_EQ(a.ValueAtPercentile(pct), all.ValueAtPercentile(pct));
}

TEST(LatencyHistogramTest, MergeAcrossPrecisionsKeepsTheCoarserBound) {
  LatencyHistogram fine(10), coarse(4);
  for (uint64_t v = 1000; v < 2000; ++v) fine.Record(v);
  coarse.Merge(fine);
  EXPECT_EQ(coarse.Count(), 1000u);
  const double p50 = static_cast<double>(coarse.ValueAtPercentile(50));
  EXPECT_GE(p50, 1499.0);
  EXPECT_LE(p50, 1499.0 * (1 + 1.0 / 8) + 1);
}

TEST(LatencyHistogramTest, RecordNCountsRepeatedValuesAndResetClears) {
  LatencyHistogram h;
  h.RecordN(100, 99);
  h.RecordN(1000000, 1);
  EXPECT_EQ(h.Count(), 100u);
  EXPECT_EQ(h.ValueAtPercentile(99), 100u);
  EXPECT_GE(h.ValueAtPercentile(99.9), 1000000u);
  h.Reset();
  EXPECT_EQ(h.Count(), 0u);
  EXPECT_EQ(h.ValueAtPercentile(50), 0u);
}

}  // namespace
}  // namespace tracklake
