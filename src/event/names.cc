#include "event/names.h"

#include <array>
#include <cstdint>

namespace tracklake {
namespace {

// Character classes, one bit each, looked up per byte: every key of every event passes here
// (validation, and again when delivery reads the log back), so a table and one AND per byte
// instead of a chain of comparisons.
enum : uint8_t {
  kKeyFirst = 1,   // [A-Za-z_]
  kKeyRest = 2,    // [A-Za-z0-9_.-]
  kTypeChar = 4,   // [a-z0-9_]
  kPrintable = 8,  // 0x20..0x7e
};

constexpr std::array<uint8_t, 256> kClasses = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool lower = c >= 'a' && c <= 'z';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool digit = c >= '0' && c <= '9';
    uint8_t v = 0;
    if (lower || upper || c == '_') v |= kKeyFirst;
    if (lower || upper || digit || c == '_' || c == '.' || c == '-') v |= kKeyRest;
    if (lower || digit || c == '_') v |= kTypeChar;
    if (c >= 0x20 && c <= 0x7e) v |= kPrintable;
    t[static_cast<size_t>(c)] = v;
  }
  return t;
}();

// The classes every byte of s has.
uint8_t CommonClasses(std::string_view s) {
  uint8_t all = 0xff;
  for (const char c : s) all &= kClasses[static_cast<unsigned char>(c)];
  return all;
}

}  // namespace

bool IsValidKey(std::string_view key, size_t max_bytes) {
  if (key.empty() || key.size() > max_bytes) return false;
  return (kClasses[static_cast<unsigned char>(key[0])] & kKeyFirst) && (CommonClasses(key) & kKeyRest);
}

bool IsValidEventType(std::string_view value, size_t max_bytes) {
  return !value.empty() && value.size() <= max_bytes && (CommonClasses(value) & kTypeChar);
}

bool IsValidEventId(std::string_view value) {
  return !value.empty() && value.size() <= kMaxEventIdBytes && (CommonClasses(value) & kPrintable);
}

}  // namespace tracklake
