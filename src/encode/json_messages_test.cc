#include "encode/json_messages.h"

#include <gtest/gtest.h>

#include "common/gzip.h"

namespace tracklake {
namespace {

EventView PageView(std::string_view id, std::string_view user) {
  EventView e;
  e.received_at_ms = 0;
  e.fields = {{"event_type", "page_view"}, {"event_id", id}, {"app_id", "web"}, {"user_id", user}, {"url", "/a\"b"}};
  return e;
}

std::string Encode(const std::vector<EventView>& events, std::string key) {
  EncodeOptions o;
  o.event_type = "page_view";
  o.message_key = std::move(key);
  auto enc = MakeJsonMessagesEncoder(o);
  for (const EventView& e : events) EXPECT_TRUE(enc->Add(e).ok());
  auto bytes = enc->Finish();
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

TEST(JsonMessages, EachEventIsOneMessageWithTheLakeLineAsValueKeyAndHeaders) {
  const std::string bytes = Encode({PageView("id1", "u\"1"), PageView("id2", "")}, "user_id");
  auto messages = ReadMessages(bytes);
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  ASSERT_EQ(messages->size(), 2u);
  const MessageView& m = (*messages)[0];
  ASSERT_TRUE(m.key.has_value());
  EXPECT_EQ(*m.key, "u\"1");  // raw, not JSON-escaped
  EXPECT_EQ(m.Header("event_type"), "page_view");
  EXPECT_EQ(m.Header("app_id"), "web");
  EXPECT_EQ(m.Header("event_id"), "id1");
  std::string line;
  AppendEventJson(line, PageView("id1", "u\"1"));
  EXPECT_EQ(m.value, line);
  // An empty value is still a key (the field is present).
  ASSERT_TRUE((*messages)[1].key.has_value());
  EXPECT_EQ(*(*messages)[1].key, "");
}

TEST(JsonMessages, NoKeyWhenNoneIsChosenOrTheEventLacksTheField) {
  for (const std::string key : {"none", "session_id"}) {
    auto messages = ReadMessages(Encode({PageView("id1", "u1")}, key));
    ASSERT_TRUE(messages.ok());
    ASSERT_EQ(messages->size(), 1u);
    EXPECT_FALSE((*messages)[0].key.has_value()) << key;
  }
}

TEST(JsonMessages, DeadLetterRecordsHaveNoKeyAndNoEventId) {
  EventView e;
  e.kind = RecordKind::kRejected;
  e.fields = {{"app_id", "web"}, {"error", "required"}, {"user_id", "u1"}};
  EncodeOptions o;
  o.event_type = "_rejected";
  o.message_key = "user_id";
  auto enc = MakeJsonMessagesEncoder(o);
  ASSERT_TRUE(enc->Add(e).ok());
  auto bytes = enc->Finish();
  ASSERT_TRUE(bytes.ok());
  auto messages = ReadMessages(*bytes);
  ASSERT_TRUE(messages.ok());
  const MessageView& m = (*messages)[0];
  EXPECT_FALSE(m.key.has_value());
  EXPECT_EQ(m.Header("event_type"), "_rejected");
  EXPECT_EQ(m.Header("app_id"), "web");
  EXPECT_EQ(m.headers.size(), 2u);
}

TEST(JsonMessages, DamagedFramingIsCorruptionNotACrash) {
  const std::string bytes = Encode({PageView("id1", "u1"), PageView("id2", "u2")}, "user_id");
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    auto messages = ReadMessages(std::string_view(bytes).substr(0, cut));
    // A cut exactly between messages reads the first one; any other cut is damage.
    if (messages.ok()) {
      EXPECT_EQ(messages->size(), 1u) << cut;
    } else {
      EXPECT_EQ(messages.status().code(), Status::Code::kCorruption);
    }
  }
}

TEST(JsonMessages, DeadLetterFormIsGzipNdjsonOfTheValues) {
  const std::string bytes = Encode({PageView("id1", "u1"), PageView("id2", "u2")}, "none");
  auto gz = MessageValuesAsNdjsonGzip(bytes);
  ASSERT_TRUE(gz.ok());
  std::string text;
  ASSERT_TRUE(GunzipBounded(*gz, 1 << 20, text).ok());
  std::string expected;
  for (const char* id : {"id1", "id2"}) {
    AppendEventJson(expected, PageView(id, id == std::string("id1") ? "u1" : "u2"));
    expected.push_back('\n');
  }
  EXPECT_EQ(text, expected);
}

}  // namespace
}  // namespace tracklake
