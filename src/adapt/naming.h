// Names the adapters derive from client text: event types from event names, and key segments
// from object keys. Pure functions, thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tracklake {

// "Order Completed" -> "order_completed": ASCII letters lower-cased, digits kept, every run of
// other bytes (spaces, punctuation, non-ASCII) one '_', none leading or trailing; cut to
// max_bytes (then trailing '_' dropped). Appends to out; returns false when nothing is left
// (the name had no letter or digit).
bool NormalizeEventName(std::string_view name, size_t max_bytes, std::string& out);

// Appends one segment of a flattened key: [A-Za-z0-9_-] kept, every other character (a UTF-8
// sequence counts as one) becomes '_', so "Order Total" -> "Order_Total" and "a.b" -> "a_b"
// ('.' separates levels). An empty name becomes "_".
void AppendKeySegment(std::string_view name, std::string& out);

// Whether name is its own segment (not empty, only [A-Za-z0-9_-]): what most names are, so the
// adapters can use them without building anything.
inline bool IsKeySegment(std::string_view name);

// a == b, inline for the short texts names and keys are (overlapping 8-, 4- or 1-byte loads
// instead of a call to memcmp): the adapters compare each name with the one in the same place
// of the event before.
[[gnu::always_inline]] inline bool SameText(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n > 64) return std::memcmp(a.data(), b.data(), n) == 0;
  uint64_t x, y;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a.data() + n - 8, 8);
    std::memcpy(&y, b.data() + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x1, y1, x2, y2;
    std::memcpy(&x1, a.data(), 4);
    std::memcpy(&y1, b.data(), 4);
    std::memcpy(&x2, a.data() + n - 4, 4);
    std::memcpy(&y2, b.data() + n - 4, 4);
    return x1 == y1 && x2 == y2;
  }
  return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

namespace naming_internal {
// [A-Za-z0-9_-] by byte value.
inline constexpr auto kSegmentByte = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  }
  return t;
}();
// The length of name's prefix of segment bytes.
inline size_t SegmentPrefix(std::string_view name) {
  size_t i = 0;
  while (i < name.size() && kSegmentByte[static_cast<unsigned char>(name[i])]) ++i;
  return i;
}
}  // namespace naming_internal

inline bool IsKeySegment(std::string_view name) {
  return !name.empty() && naming_internal::SegmentPrefix(name) == name.size();
}

}  // namespace tracklake
