// HashBytes: a fast, per-process seeded, non-cryptographic 64-bit hash for short strings
// (dictionary values, JSON keys). Seeded because the strings come from clients: a fixed hash
// would let one craft values that all collide and turn open-addressing lookups into scans.
// Inline: the Parquet encoder and the validator call it for nearly every string they touch.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tracklake {

namespace internal {

// GCC and Clang both have 128-bit integers on 64-bit targets; __extension__ says we know.
__extension__ using U128 = unsigned __int128;
inline constexpr uint64_t kHashMul = 0x9E3779B97F4A7C15ull;
inline constexpr uint64_t kHashMul2 = 0xD6E8FEB86659FD93ull;
extern const uint64_t kHashSeed;  // random per process, see hash_bytes.cc

inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// 128-bit multiply folded to 64 bits (the wyhash/folly mixing step): every input bit reaches
// every output bit in one instruction pair.
inline uint64_t Mix(uint64_t h, uint64_t w) {
  const U128 m = static_cast<U128>(h ^ w) * kHashMul;
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}

}  // namespace internal

inline uint64_t HashBytes(std::string_view s) {
  using internal::Load64;
  using internal::Mix;
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = internal::kHashSeed ^ n;
  // Long values (user agents, URLs) are common: two lanes of independent multiplies.
  constexpr size_t kStep = 2 * sizeof(uint64_t);
  if (n >= kStep) {
    uint64_t h2 = h ^ internal::kHashMul2;
    for (; n >= kStep; n -= kStep, p += kStep) {
      h = Mix(h, Load64(p));
      h2 = Mix(h2, Load64(p + sizeof(uint64_t)));
    }
    h = Mix(h, h2);
  }
  for (; n >= sizeof(uint64_t); n -= sizeof(uint64_t), p += sizeof(uint64_t)) h = Mix(h, Load64(p));
  // The last 1-7 bytes without a variable-length copy (which compiles to a byte loop or a call):
  // overlapping fixed-size loads that stay inside the string.
  if (n > 0) {
    const char* end = s.data() + s.size();
    uint64_t tail;
    if (s.size() >= sizeof(uint64_t)) {
      tail = Load64(end - sizeof(uint64_t));
    } else if (n >= sizeof(uint32_t)) {
      tail = static_cast<uint64_t>(internal::Load32(p)) << 32 | internal::Load32(end - sizeof(uint32_t));
    } else {
      tail = static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16 |
             static_cast<uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 | static_cast<unsigned char>(p[n - 1]);
    }
    h = Mix(h, tail);
  }
  return Mix(h, internal::kHashMul);
}

}  // namespace tracklake
