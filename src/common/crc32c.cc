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

uint32_t ExtendPortable(uint32_t crc, const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) crc = kTable[(crc ^ static_cast<unsigned char>(p[i])) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const char* p, size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = __builtin_ia32_crc32di(c, v);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n > 0) {
    c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*p));
    ++p;
    --n;
  }
  return c32;
}
const bool kHasHardware = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

uint32_t Extend(uint32_t init_crc, const char* data, size_t n) {
  const uint32_t crc = ~init_crc;
#if defined(__x86_64__)
  if (kHasHardware) return ~ExtendHardware(crc, data, n);
#endif
  return ~ExtendPortable(crc, data, n);
}

}  // namespace tracklake::crc32c
