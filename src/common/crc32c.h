// CRC-32C (Castagnoli), as used by the write-ahead log. Uses the SSE4.2 instruction when the
// CPU has it (three interleaved streams on long inputs), a table otherwise. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tracklake::crc32c {

// crc of data[0, n) continuing from init_crc (the crc of what came before, 0 for none).
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);
inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }

namespace internal {
// The table-driven implementation, exposed so that tests can hold the hardware path to it.
uint32_t ExtendTable(uint32_t init_crc, const char* data, size_t n);
}  // namespace internal

// Stored CRCs are masked (as in LevelDB) because computing the CRC of a string that itself
// contains embedded CRCs is weak.
inline constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace tracklake::crc32c
