#include "cli/event_ids.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

constexpr int64_t kNow = 1'764'139'635'123;

TEST(EnsureEventId, AddsAnIdOnlyWhereNoneIsAndTheLineStaysValid) {
  std::string line = R"({"event_type":"a","n":{"event_id":"nested"}})";
  ASSERT_TRUE(EnsureEventId(line, kNow));
  ASSERT_TRUE(line.starts_with(R"({"event_id":")")) << line;
  EXPECT_EQ(line.substr(50), R"(,"event_type":"a","n":{"event_id":"nested"}})") << line;
  // The id is a UUIDv7 of now_ms: 019abf0a-... (48-bit milliseconds first).
  EXPECT_EQ(line[13 + 14], '7') << line;
  std::string again = line;
  EXPECT_FALSE(EnsureEventId(again, kNow));  // has one now: a resend keeps it
  EXPECT_EQ(again, line);

  std::string empty = " { } ";
  ASSERT_TRUE(EnsureEventId(empty, kNow));
  EXPECT_EQ(empty.size(), std::string(" { } ").size() + 49) << empty;
  EXPECT_EQ(empty.find(','), std::string::npos) << empty;
}

TEST(EnsureEventId, LeavesWhatTheCollectorMustJudgeUntouched) {
  for (std::string line :
       {std::string(R"({"event_id":"mine","event_type":"a"})"), std::string("[1,2]"), std::string("not json"),
        std::string(R"({"event_type":"a"} trailing)"), std::string(R"({"event_type":)")}) {
    const std::string before = line;
    EXPECT_FALSE(EnsureEventId(line, kNow)) << before;
    EXPECT_EQ(line, before);
  }
}

}  // namespace
}  // namespace tracklake
