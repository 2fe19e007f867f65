// LatencyHistogram: an HdrHistogram-like log-bucketed histogram of non-negative integer values
// (the load generator records nanoseconds). Values below 2^precision_bits are counted exactly;
// above, each power of two is split into 2^(precision_bits-1) equal buckets, so a reported value
// is within a relative 2^-(precision_bits-1) of the true one (0.8 % at the default 8 bits) and
// memory is fixed (about 60 KB at 8 bits, 8 KB at 5) whatever the range.
// Percentiles return the bucket's upper bound clamped to the recorded maximum, so they never
// under-report. Thread-compatible: one instance per thread, merged at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tracklake {

class LatencyHistogram {
 public:
  static constexpr int kDefaultPrecisionBits = 8;
  static constexpr int kMinPrecisionBits = 2;
  static constexpr int kMaxPrecisionBits = 16;

  // precision_bits is clamped to [kMinPrecisionBits, kMaxPrecisionBits].
  explicit LatencyHistogram(int precision_bits = kDefaultPrecisionBits);

  void Record(uint64_t value) { RecordN(value, 1); }
  void RecordN(uint64_t value, uint64_t n);
  // Adds other's counts. Precondition: same precision_bits (otherwise values are re-bucketed
  // through their bucket's upper bound, which keeps the error bound of the coarser one).
  void Merge(const LatencyHistogram& other);
  void Reset();

  uint64_t Count() const { return count_; }
  uint64_t Min() const { return count_ == 0 ? 0 : min_; }
  uint64_t Max() const { return max_; }
  double Mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }
  // percentile in [0, 100]; 0 when empty. The smallest recorded-bucket value v such that at
  // least percentile % of the values are <= v.
  uint64_t ValueAtPercentile(double percentile) const;
  int precision_bits() const { return bits_; }

  // Exposed for tests: the bucket of a value and the largest value that bucket holds.
  size_t BucketOf(uint64_t value) const;
  uint64_t BucketUpperBound(size_t bucket) const;

 private:
  int bits_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace tracklake
