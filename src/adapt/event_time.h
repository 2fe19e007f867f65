// Event times from client clocks, corrected for their skew the way Segment and Snowplow do:
// the client reports when the event happened and when it sent it, both by its own clock; the
// server knows when it received it. event_time = received - (sent - happened). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tracklake {

// Years 0001..9999 in UTC milliseconds: what RFC 3339 and the lake's readers can hold.
inline constexpr int64_t kMinEventTimeMs = -62'135'596'800'000;  // 0001-01-01T00:00:00Z
inline constexpr int64_t kMaxEventTimeMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

// received - (sent - happened) when sent is known, else happened; nullopt outside years 0001..9999.
std::optional<int64_t> SkewCorrectedTime(int64_t received_ms, std::optional<int64_t> sent_ms, int64_t happened_ms);

// Milliseconds since the epoch as Snowplow's trackers send them: 1..16 ASCII digits.
std::optional<int64_t> ParseEpochMillis(std::string_view text);

}  // namespace tracklake
