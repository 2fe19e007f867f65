// Decimal numbers from text that may be hostile (a header, a file name read back from disk, a
// configuration value), without exceptions: std::stoi and std::stoull throw on such text, and
// atoi reads it as 0. Pure functions.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>

namespace tracklake {

// The whole of text as a decimal T: digits only, with a leading '-' for a signed T; no '+',
// spaces or other bytes; within T's range. nullopt otherwise (empty text included).
template <typename T>
std::optional<T> ParseDecimal(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace tracklake
