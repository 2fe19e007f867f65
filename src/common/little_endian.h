// Little-endian integers in byte buffers, whatever the host's order: the on-disk formats
// (journal files, records) are little-endian. Header-only, thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace tracklake::le {

inline void Store32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void Store64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t Load32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline uint64_t Load64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline void Append32(std::string& out, uint32_t v) {
  char b[4];
  Store32(b, v);
  out.append(b, sizeof b);
}
inline void Append64(std::string& out, uint64_t v) {
  char b[8];
  Store64(b, v);
  out.append(b, sizeof b);
}

}  // namespace tracklake::le
