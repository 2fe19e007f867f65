#include "encode/parquet/string_dictionary.h"

#include <algorithm>
#include <cstring>
#include <random>

namespace tracklake::parquet {
namespace {

constexpr size_t kInitialSlots = 1024;
// Grow when more than half the slots are used: linear probing stays short below that.
constexpr size_t kMaxLoadDenominator = 2;
// GCC and Clang both have 128-bit integers on 64-bit targets; __extension__ says we know.
__extension__ using U128 = unsigned __int128;
constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kMul2 = 0xD6E8FEB86659FD93ull;
constexpr int kShift = 32;

uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint64_t Mix(uint64_t h, uint64_t w) {
  // 128-bit multiply folded to 64 bits (the wyhash/folly mixing step): every input bit
  // reaches every output bit in one instruction pair.
  const U128 m = static_cast<U128>(h ^ w) * kMul;
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}

// Equality for the short strings dictionaries mostly hold, without a call into libc:
// overlapping word loads cover every length up to 16 bytes.
bool EqualBytes(const char* a, const char* b, size_t n) {
  if (n >= sizeof(uint64_t) && n <= 2 * sizeof(uint64_t)) {
    const size_t last = n - sizeof(uint64_t);
    return Load64(a) == Load64(b) && Load64(a + last) == Load64(b + last);
  }
  if (n > 2 * sizeof(uint64_t) && n <= 4 * sizeof(uint64_t)) {
    const size_t last = n - 2 * sizeof(uint64_t);
    return EqualBytes(a, b, 2 * sizeof(uint64_t)) && EqualBytes(a + last, b + last, 2 * sizeof(uint64_t));
  }
  if (n > 4 * sizeof(uint64_t)) return std::memcmp(a, b, n) == 0;
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

uint64_t HashBytes(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  // Seeded per process: values come from clients, and a fixed hash would let one craft values
  // that all collide and turn every dictionary lookup into a scan.
  static const uint64_t seed = std::random_device{}() * kMul2 + kMul;
  uint64_t h = seed ^ n;
  // Long values (user agents, URLs) are common: two lanes of independent multiplies.
  constexpr size_t kStep = 2 * sizeof(uint64_t);
  if (n >= kStep) {
    uint64_t h2 = h ^ kMul2;
    for (; n >= kStep; n -= kStep, p += kStep) {
      h = Mix(h, Load64(p));
      h2 = Mix(h2, Load64(p + sizeof(uint64_t)));
    }
    h = Mix(h, h2);
  }
  for (; n >= sizeof(uint64_t); n -= sizeof(uint64_t), p += sizeof(uint64_t)) h = Mix(h, Load64(p));
  if (n > 0) {
    uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = Mix(h, tail);
  }
  return Mix(h, kMul);
}

StringDictionary::StringDictionary() : slots_(kInitialSlots) {}

uint32_t StringDictionary::Find(std::string_view value, uint64_t h64) {
  const auto hash = static_cast<uint32_t>(h64 >> kShift);
  const size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(h64) & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.index_plus_one == 0) {
      pending_slot_ = i;
      pending_hash_ = hash;
      return kNotFound;
    }
    if (s.hash == hash) {
      const std::string_view entry = at(s.index_plus_one - 1);
      if (entry.size() == value.size() && EqualBytes(entry.data(), value.data(), value.size())) {
        return s.index_plus_one - 1;
      }
    }
  }
}

uint32_t StringDictionary::InsertMissing(std::string_view value) {
  const auto index = static_cast<uint32_t>(ends_.size());
  arena_.append(value);
  ends_.push_back(static_cast<uint32_t>(arena_.size()));
  slots_[pending_slot_] = Slot{pending_hash_, index + 1};
  if (ends_.size() * kMaxLoadDenominator > slots_.size()) Grow();
  return index;
}

void StringDictionary::Grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.resize(old.size() * 2);
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.index_plus_one == 0) continue;
    // The slot keeps only the high half of the hash; the low half picks the bucket, so it is
    // recomputed from the value.
    size_t i = static_cast<size_t>(HashBytes(at(s.index_plus_one - 1))) & mask;
    while (slots_[i].index_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void StringDictionary::Clear() {
  arena_.clear();
  ends_.clear();
  std::fill(slots_.begin(), slots_.end(), Slot{});
}

}  // namespace tracklake::parquet
