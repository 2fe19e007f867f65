#include "common/backoff.h"

#include <algorithm>
#include <cstdint>

namespace tracklake {

namespace {
constexpr int kMaxShift = 62;  // int64 milliseconds
}  // namespace

std::chrono::milliseconds Backoff::Bound(int retry) const {
  const int64_t first = initial.count();
  if (first <= 0 || max.count() <= 0) return std::chrono::milliseconds::zero();
  const int shift = std::clamp(retry, 0, std::min(max_doublings, kMaxShift));
  if (first > (max.count() >> shift)) return max;
  return std::chrono::milliseconds(first << shift);
}

std::chrono::milliseconds Backoff::EqualJitter(int retry, std::mt19937_64& rng) const {
  const int64_t bound = Bound(retry).count();
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(bound / 2, bound)(rng));
}

std::chrono::milliseconds Backoff::FullJitter(int retry, std::mt19937_64& rng) const {
  const int64_t bound = Bound(retry).count();
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, bound)(rng));
}

}  // namespace tracklake
