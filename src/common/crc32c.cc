#include "common/crc32c.h"

#include <array>
#include <cstring>

namespace tracklake::crc32c {
namespace {

constexpr uint32_t kPoly = 0x82f63b78u;  // reflected Castagnoli polynomial

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kTable = MakeTable();

#if defined(__x86_64__)
// The crc32 instruction has a latency of several cycles but can start one per cycle: three
// independent CRCs over three adjacent blocks keep it busy, and are then combined by "shifting"
// the first over the length of the next (multiplying by x^(8*len) mod P, a linear map on 32 bits
// applied here a byte at a time through four tables). Mark Adler's crc32c.c does the same.
constexpr size_t kLongBlock = 8192;
constexpr size_t kShortBlock = 256;
using ShiftTables = std::array<std::array<uint32_t, 256>, 4>;

// GF(2) matrix (32 columns as 32-bit rows) times vector.
constexpr uint32_t MatrixTimes(const std::array<uint32_t, 32>& mat, uint32_t vec) {
  uint32_t sum = 0;
  for (int i = 0; vec != 0; ++i, vec >>= 1) {
    if (vec & 1) sum ^= mat[i];
  }
  return sum;
}

constexpr std::array<uint32_t, 32> MatrixSquare(const std::array<uint32_t, 32>& mat) {
  std::array<uint32_t, 32> sq{};
  for (int n = 0; n < 32; ++n) sq[n] = MatrixTimes(mat, mat[n]);
  return sq;
}

// The tables that append `bytes` zero bytes (a power of two) to a CRC.
constexpr ShiftTables MakeShiftTables(size_t bytes) {
  std::array<uint32_t, 32> op{};  // appends one zero bit
  op[0] = kPoly;
  for (int n = 1; n < 32; ++n) op[n] = 1u << (n - 1);
  for (size_t bits = 1; bits < 8 * bytes; bits *= 2) op = MatrixSquare(op);
  ShiftTables t{};
  for (uint32_t n = 0; n < 256; ++n) {
    for (int b = 0; b < 4; ++b) t[b][n] = MatrixTimes(op, n << (8 * b));
  }
  return t;
}

constexpr ShiftTables kShiftLong = MakeShiftTables(kLongBlock);
constexpr ShiftTables kShiftShort = MakeShiftTables(kShortBlock);

uint64_t Shift(const ShiftTables& t, uint64_t crc) {
  const auto c = static_cast<uint32_t>(crc);
  return t[0][c & 0xff] ^ t[1][(c >> 8) & 0xff] ^ t[2][(c >> 16) & 0xff] ^ t[3][c >> 24];
}

__attribute__((target("sse4.2"))) inline uint64_t Crc64(uint64_t crc, const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_ia32_crc32di(crc, v);
}

// Three interleaved CRCs over blocks of `block` bytes while at least three blocks remain.
__attribute__((target("sse4.2"))) void ExtendInterleaved(uint64_t& crc, const char*& p, size_t& n, size_t block,
                                                         const ShiftTables& shift) {
  while (n >= 3 * block) {
    uint64_t c1 = 0, c2 = 0;
    for (const char* end = p + block; p < end; p += 8) {
      crc = Crc64(crc, p);
      c1 = Crc64(c1, p + block);
      c2 = Crc64(c2, p + 2 * block);
    }
    crc = Shift(shift, crc) ^ c1;
    crc = Shift(shift, crc) ^ c2;
    p += 2 * block;
    n -= 3 * block;
  }
}

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc32, const char* p, size_t n) {
  uint64_t crc = crc32;
  ExtendInterleaved(crc, p, n, kLongBlock, kShiftLong);
  ExtendInterleaved(crc, p, n, kShortBlock, kShiftShort);
  for (; n >= 8; p += 8, n -= 8) crc = Crc64(crc, p);
  auto c32 = static_cast<uint32_t>(crc);
  for (; n > 0; ++p, --n) c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*p));
  return c32;
}
const bool kHasHardware = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

namespace internal {

uint32_t ExtendTable(uint32_t init_crc, const char* data, size_t n) {
  uint32_t crc = ~init_crc;
  for (size_t i = 0; i < n; ++i) crc = kTable[(crc ^ static_cast<unsigned char>(data[i])) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace internal

uint32_t Extend(uint32_t init_crc, const char* data, size_t n) {
#if defined(__x86_64__)
  if (kHasHardware) return ~ExtendHardware(~init_crc, data, n);
#endif
  return internal::ExtendTable(init_crc, data, n);
}

}  // namespace tracklake::crc32c
