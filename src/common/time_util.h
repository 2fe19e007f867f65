// UTC time helpers: RFC 3339 formatting and parsing, and the date/hour parts used for
// partitioning. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tracklake {

// The instants every lake reader takes as timestamps: 1900-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999Z. Outside them pyarrow and DuckDB refuse years below 1 or above 9999, and
// Spark refuses Parquet timestamps before 1900 by default (it cannot tell which calendar a writer
// other than Spark used: SparkUpgradeException); a reader that refuses one value refuses the file.
inline constexpr int64_t kMinLakeTimeMillis = -2'208'988'800'000;   // 1900-01-01T00:00:00Z
inline constexpr int64_t kMaxLakeTimeMillis = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
inline bool InLakeTimeRange(int64_t ms) { return ms >= kMinLakeTimeMillis && ms <= kMaxLakeTimeMillis; }

// Milliseconds since the Unix epoch, from the system clock.
int64_t NowMillis();

// "2026-11-26T06:07:15.123Z" (always UTC, always milliseconds).
std::string FormatRfc3339Millis(int64_t ms);
// Appends the same 24 characters to out; no allocation when out has capacity.
void AppendRfc3339Millis(std::string& out, int64_t ms);
// Writes them at out, which has room for kRfc3339MillisBytes.
inline constexpr size_t kRfc3339MillisBytes = 24;
void WriteRfc3339Millis(char* out, int64_t ms);

// Parses an RFC 3339 date-time ("2026-11-26T06:07:15Z", fractional seconds of any
// length, "Z" or "+hh:mm"/"-hh:mm" offsets, 't'/'z' accepted). Returns UTC milliseconds,
// or nullopt when the text is not a valid date-time (including impossible dates).
std::optional<int64_t> ParseRfc3339Millis(std::string_view text);

struct UtcDateHour {
  int year;
  int month;  // 1..12
  int day;    // 1..31
  int hour;   // 0..23
};
UtcDateHour ToUtcDateHour(int64_t ms);

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int year, int month, int day);

}  // namespace tracklake
