#include "adapt/event_time.h"

namespace tracklake {

std::optional<int64_t> SkewCorrectedTime(int64_t received_ms, std::optional<int64_t> sent_ms, int64_t happened_ms) {
  // Every operand is within years 0001..9999 (callers parse them so) or a receive time, so the
  // arithmetic cannot overflow an int64.
  const int64_t t = sent_ms ? received_ms - (*sent_ms - happened_ms) : happened_ms;
  if (t < kMinEventTimeMs || t > kMaxEventTimeMs) return std::nullopt;
  return t;
}

std::optional<int64_t> ParseEpochMillis(std::string_view text) {
  constexpr size_t kMaxDigits = 16;  // up to year ~318,000: enough, and far from overflow
  if (text.empty() || text.size() > kMaxDigits) return std::nullopt;
  int64_t ms = 0;
  for (const char c : text) {
    const auto digit = static_cast<unsigned char>(c - '0');
    if (digit > 9) return std::nullopt;
    ms = ms * 10 + digit;
  }
  return ms;
}

}  // namespace tracklake
