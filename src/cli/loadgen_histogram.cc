#include "cli/loadgen_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tracklake {
namespace {

constexpr int kValueBits = 64;

}  // namespace

LatencyHistogram::LatencyHistogram(int precision_bits)
    : bits_(std::clamp(precision_bits, kMinPrecisionBits, kMaxPrecisionBits)) {
  // 2^bits exact buckets, then 2^(bits-1) buckets for each of the (64 - bits) higher magnitudes.
  const size_t exact = size_t{1} << bits_;
  const size_t per_magnitude = exact / 2;
  counts_.assign(exact + static_cast<size_t>(kValueBits - bits_) * per_magnitude, 0);
}

size_t LatencyHistogram::BucketOf(uint64_t value) const {
  const uint64_t exact = uint64_t{1} << bits_;
  if (value < exact) return static_cast<size_t>(value);
  // value has bit_width > bits: drop the low `shift` bits so the top `bits` bits remain; the
  // leading one is implicit, leaving 2^(bits-1) sub-buckets per magnitude.
  const int shift = std::bit_width(value) - bits_;
  const uint64_t top = value >> shift;  // in [2^(bits-1), 2^bits)
  const uint64_t half = exact / 2;
  return static_cast<size_t>(exact + static_cast<uint64_t>(shift - 1) * half + (top - half));
}

uint64_t LatencyHistogram::BucketUpperBound(size_t bucket) const {
  const uint64_t exact = uint64_t{1} << bits_;
  if (bucket < exact) return bucket;
  const uint64_t half = exact / 2;
  const uint64_t rest = bucket - exact;
  const int shift = static_cast<int>(rest / half) + 1;
  const uint64_t top = half + rest % half;
  const uint64_t low = top << shift;
  return low + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::RecordN(uint64_t value, uint64_t n) {
  if (n == 0) return;
  counts_[BucketOf(value)] += n;
  count_ += n;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<double>(value) * static_cast<double>(n);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (other.bits_ == bits_) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  } else {
    for (size_t i = 0; i < other.counts_.size(); ++i) {
      if (other.counts_[i] != 0) counts_[BucketOf(other.BucketUpperBound(i))] += other.counts_[i];
    }
  }
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void LatencyHistogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

uint64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  const double q = std::clamp(percentile, 0.0, 100.0) / 100.0;
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(BucketUpperBound(i), Min(), max_);
  }
  return max_;
}

}  // namespace tracklake
