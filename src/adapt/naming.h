// Names the adapters derive from client text: event types from event names, and key segments
// from object keys. Pure functions, thread-safe.
#pragma once

#include <array>
#include <cstddef>
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
