#include "client/event_line.h"

#include <gtest/gtest.h>

namespace tracklake::client {
namespace {

constexpr int64_t kNow = 1'764'137'235'123;  // 2025-11-26T06:07:15.123Z

std::string Line(std::string_view type, std::initializer_list<Field> fields, bool stamp, std::string& id) {
  std::string out;
  AppendEventLine(out, type, fields.begin(), fields.size(), LineDefaults{"web", kNow, stamp}, id);
  return out;
}

TEST(EventLineTest, ServerFieldsComeFirstThenTheCallersInOrder) {
  std::string id;
  const std::string line = Line("click", {{"b", "2"}, {"a", "1"}}, true, id);
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '7');  // UUIDv7
  EXPECT_EQ(line, "{\"event_type\":\"click\",\"event_id\":\"" + id +
                      "\",\"app_id\":\"web\",\"event_time\":\"2025-11-26T06:07:15.123Z\",\"b\":\"2\",\"a\":\"1\"}");
}

TEST(EventLineTest, GivenIdAppAndTimeTakeTheirPlaceOnce) {
  std::string id;
  const std::string line =
      Line("click", {{"x", "1"}, {"event_time", "2026-01-01T00:00:00Z"}, {"event_id", "order-1"}, {"app_id", "other"}},
           true, id);
  EXPECT_EQ(id, "order-1");
  EXPECT_EQ(line,
            "{\"event_type\":\"click\",\"event_id\":\"order-1\",\"app_id\":\"other\","
            "\"event_time\":\"2026-01-01T00:00:00Z\",\"x\":\"1\"}");
}

TEST(EventLineTest, NoEventTimeWhenNotStampedAndValuesAreEscaped) {
  std::string id;
  const std::string line = Line("click", {{"q", "a\"b\\c\nd\x01"}}, false, id);
  EXPECT_EQ(line.find("event_time"), std::string::npos);
  EXPECT_NE(line.find(R"("q":"a\"b\\c\nd\u0001")"), std::string::npos) << line;
}

}  // namespace
}  // namespace tracklake::client
