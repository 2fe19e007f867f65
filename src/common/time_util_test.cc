#include "common/time_util.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

TEST(TimeUtil, FormatsEpochAndLeapDay) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(951782400123), "2000-02-29T00:00:00.123Z");
}

TEST(TimeUtil, ParsesOffsetsAndFractions) {
  EXPECT_EQ(ParseRfc3339Millis("2000-02-29T00:00:00.123Z"), 951782400123);
  EXPECT_EQ(ParseRfc3339Millis("2000-02-29T01:00:00.1234+01:00"), 951782400123);
  EXPECT_EQ(ParseRfc3339Millis("1970-01-01T00:00:00z"), 0);
}

TEST(TimeUtil, RejectsImpossibleOrMalformedDates) {
  EXPECT_FALSE(ParseRfc3339Millis("2001-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339Millis("2001-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339Millis("2001-01-01T24:00:00Z"));
  EXPECT_FALSE(ParseRfc3339Millis("2001-01-01T00:00:00"));
  EXPECT_FALSE(ParseRfc3339Millis("2001-01-01T00:00:00.Z"));
  EXPECT_FALSE(ParseRfc3339Millis("2001-01-01T00:00:00Zjunk"));
  EXPECT_FALSE(ParseRfc3339Millis("yesterday"));
}

TEST(TimeUtil, RoundTripsAcrossCenturies) {
  for (int64_t ms : {int64_t{-86'400'001}, int64_t{1}, int64_t{4102444800000}, int64_t{1764139635123}}) {
    EXPECT_EQ(ParseRfc3339Millis(FormatRfc3339Millis(ms)), ms) << ms;
  }
}

TEST(TimeUtil, FormatsAndParsesDayAfterDayAndBack) {
  // The formatter keeps the last day's text and the parser the last date's days: neither may
  // leak into the next value, whatever the order.
  for (int64_t ms : {int64_t{1764139635123}, int64_t{1764139635123 + 86'400'000}, int64_t{1764139635123},
                     int64_t{86'400'000}, int64_t{86'399'999}, int64_t{0}, int64_t{-1}, int64_t{951782400123}}) {
    const std::string text = FormatRfc3339Millis(ms);
    EXPECT_EQ(ParseRfc3339Millis(text), ms) << text;
    char buf[kRfc3339MillisBytes];
    WriteRfc3339Millis(buf, ms);
    EXPECT_EQ(std::string_view(buf, sizeof(buf)), text);
  }
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(ParseRfc3339Millis("2000-02-29T00:00:00Z"), 951782400000);
  // The same date then a malformed rest, and a malformed date with a remembered one's length.
  EXPECT_FALSE(ParseRfc3339Millis("2000-02-29T0:00:00.0Z"));
  EXPECT_FALSE(ParseRfc3339Millis("2000-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339Millis(std::string_view("\0\0\0\0\0\0\0\0\0\0T00:00:00Z", 20)));
  EXPECT_EQ(ParseRfc3339Millis("2000-02-29T00:00:00.1+00:30"), 951782400100 - 1'800'000);
  EXPECT_EQ(ParseRfc3339Millis("2000-02-29 23:59:60.999999z"), 951868799999);
  EXPECT_FALSE(ParseRfc3339Millis("2000-02-29T00:00:00+0030"));
  EXPECT_FALSE(ParseRfc3339Millis("2000-02-29T00:00:00+00:3"));
}

TEST(TimeUtil, DateHourOfMillis) {
  const UtcDateHour t = ToUtcDateHour(1764139635123);  // 2025-11-26T06:47:15.123Z
  EXPECT_EQ(t.year, 2025);
  EXPECT_EQ(t.month, 11);
  EXPECT_EQ(t.day, 26);
  EXPECT_EQ(t.hour, 6);
}

}  // namespace
}  // namespace tracklake
