// Segment's mapping rules, one by one (docs/ingest-adapters.md).
#include "adapt/segment/segment_adapter.h"

#include "adapt/adapt_test_util.h"
#include "validate/field_rules.h"

namespace tracklake {
namespace {

class SegmentTest : public ::testing::Test {
 protected:
  // Parses and emits body; returns the whole-request error's rule, or "" on success.
  std::string Run(SegmentCall call, std::string_view body) {
    SegmentRequest request;
    if (auto e = request.Parse(call, body, rules_)) return e->field + ": " + e->rule;
    std::string_view key;
    if (auto e = request.FindWriteKey(key)) return e->field + ": " + e->rule;
    write_key_ = std::string(key);
    Validator validator(rules_);
    RequestInfo info{"shop", kAdaptReceivedAtMs, nullptr};
    if (auto e = request.Emit(validator, info, out_)) return e->field + ": " + e->rule;
    records_ = Records(out_);
    return "";
  }
  ValidationRules rules_;
  ValidatedBody out_;
  std::vector<std::map<std::string, std::string>> records_;
  std::string write_key_;
};

TEST_F(SegmentTest, TrackMapsIdsNameTimeAndFlattensItsObjects) {
  ASSERT_EQ(Run(SegmentCall::kTrack, R"({"writeKey":"wk","messageId":"m1","userId":"u1","anonymousId":"a1",
      "event":"Order Completed","timestamp":"2026-01-01T00:00:00Z","sentAt":"2026-01-01T00:00:30Z",
      "properties":{"revenue":12.50,"ok":true,"gone":null,"items":[1,2],"Order Total":3,"a":{"b":{"c":"d"}}},
      "context":{"page":{"url":"https://s/"}},"integrations":{"All":true},"receivedAt":"x","channel":"server"})"),
            "");
  EXPECT_EQ(write_key_, "wk");
  ASSERT_EQ(out_.accepted, 1u);
  auto& r = records_[0];
  EXPECT_EQ(r["event_type"], "order_completed");
  EXPECT_EQ(r["event_text"], "Order Completed");
  EXPECT_EQ(r["event_id"], "m1");
  EXPECT_EQ(r["app_id"], "shop");
  EXPECT_EQ(r["user_id"], "u1");
  EXPECT_EQ(r["anonymous_id"], "a1");
  // received 00:00:10 - (sent 00:00:30 - happened 00:00:00) = 23:59:40 the day before.
  EXPECT_EQ(r["event_time"], "2025-12-31T23:59:40.000Z");
  EXPECT_EQ(r["original_timestamp"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(r["sent_at"], "2026-01-01T00:00:30Z");
  EXPECT_EQ(r["properties.revenue"], "12.50");
  EXPECT_EQ(r["properties.ok"], "true");
  EXPECT_EQ(r.count("properties.gone"), 0u);
  EXPECT_EQ(r["properties.items"], "[1,2]");
  EXPECT_EQ(r["properties.Order_Total"], "3");
  EXPECT_EQ(r["properties.a.b.c"], "d");
  EXPECT_EQ(r["context.page.url"], "https://s/");
  EXPECT_EQ(r["channel"], "server");
  EXPECT_EQ(r.count("integrations.All"), 0u);
  EXPECT_EQ(r.count("receivedAt"), 0u);
}

TEST_F(SegmentTest, OtherCallsNameTheirEventType) {
  const std::pair<SegmentCall, std::string> calls[] = {{SegmentCall::kIdentify, "identify"},
                                                       {SegmentCall::kPage, "page"},
                                                       {SegmentCall::kScreen, "screen"},
                                                       {SegmentCall::kGroup, "group"},
                                                       {SegmentCall::kAlias, "alias"}};
  for (const auto& [call, type] : calls) {
    ASSERT_EQ(Run(call, R"({"userId":"u","groupId":"g","previousId":"p","traits":{"plan":"pro"}})"), "");
    ASSERT_EQ(out_.accepted, 1u) << type;
    EXPECT_EQ(records_[0]["event_type"], type);
    EXPECT_EQ(records_[0]["group_id"], "g");
    EXPECT_EQ(records_[0]["previous_id"], "p");
    EXPECT_EQ(records_[0]["traits.plan"], "pro");
  }
  EXPECT_EQ(SegmentCallOf("t"), SegmentCall::kTrack);
  EXPECT_EQ(SegmentCallOf("import"), SegmentCall::kBatch);
  EXPECT_EQ(SegmentCallOf("b"), SegmentCall::kBatch);
  EXPECT_EQ(SegmentCallOf("events"), std::nullopt);
}

TEST_F(SegmentTest, BatchContextIsMergedTheMessagesOwnValuesWin) {
  ASSERT_EQ(Run(SegmentCall::kBatch, R"({"sentAt":"2026-01-01T00:00:10Z","context":{"app":{"name":"n","version":"1"}},
      "batch":[{"type":"track","event":"x","userId":"u","timestamp":"2026-01-01T00:00:05Z","context":{"app":{"version":"2"}}}]})"),
            "");
  ASSERT_EQ(out_.accepted, 1u);
  EXPECT_EQ(records_[0]["context.app.version"], "2");
  EXPECT_EQ(records_[0]["context.app.name"], "n");
  EXPECT_EQ(records_[0]["event_time"], "2026-01-01T00:00:05.000Z");  // the batch's sentAt
}

TEST_F(SegmentTest, BatchFieldsAfterTheMessagesApplyToThemAll) {
  // Segment's libraries send sentAt after the batch: the body is read once, so the messages wait
  // for it (and for context) before they are finished.
  ASSERT_EQ(Run(SegmentCall::kBatch, R"({"batch":[
      {"type":"track","event":"x","userId":"u","timestamp":"2026-01-01T00:00:05Z"},
      {"type":"track","event":"x","userId":"u","timestamp":"2026-01-01T00:00:06Z","sentAt":"2026-01-01T00:00:07Z"}],
      "context":{"app":{"name":"n"}},"sentAt":"2026-01-01T00:00:10Z","writeKey":"wk"})"),
            "");
  EXPECT_EQ(write_key_, "wk");
  ASSERT_EQ(out_.accepted, 2u);
  EXPECT_EQ(records_[0]["event_time"], "2026-01-01T00:00:05.000Z");
  EXPECT_EQ(records_[0]["sent_at"], "2026-01-01T00:00:10Z");
  EXPECT_EQ(records_[0]["context.app.name"], "n");
  EXPECT_EQ(records_[1]["event_time"], "2026-01-01T00:00:09.000Z");  // its own sentAt
  EXPECT_EQ(records_[1]["context.app.name"], "n");
  // A batch-level field of the wrong kind fails the request, wherever it comes.
  EXPECT_EQ(Run(SegmentCall::kBatch, R"({"batch":[{"type":"track","event":"x","userId":"u"}],"sentAt":{}})"),
            "sentAt: must be a string");
  EXPECT_TRUE(out_.spans.empty());
  EXPECT_EQ(Run(SegmentCall::kBatch, R"({"batch":[],"sentAt":"later"})"), "sentAt: " + std::string(kErrBadEventTime));
  EXPECT_EQ(Run(SegmentCall::kBatch, R"({"batch":[],"writeKey":[1]})"), "writeKey: must be a string");
  EXPECT_EQ(Run(SegmentCall::kTrack, R"({"event":"x","userId":"u","writeKey":{"k":1}})"),
            "writeKey: must be a string");
}

TEST_F(SegmentTest, KeysBuiltForOneMessageAreNotMistakenForTheNext) {
  // The next message's child keys are compared with the ones built before, place by place.
  ASSERT_EQ(Run(SegmentCall::kBatch, R"({"batch":[
      {"type":"track","event":"Sign Up","userId":"u","properties":{"a":"1","b":"2"}},
      {"type":"track","event":"Sign Up","userId":"u","properties":{"a":"1","c":"2"}},
      {"type":"track","event":"Log In","userId":"u","traits":{"a":"1","b c":"2"}},
      {"type":"track","event":"Log In","userId":"u","traits":{"a":"1","b_c":"2"}}]})"),
            "");
  ASSERT_EQ(out_.accepted, 4u);
  EXPECT_EQ(records_[0]["properties.b"], "2");
  EXPECT_EQ(records_[1]["properties.c"], "2");
  EXPECT_EQ(records_[1].count("properties.b"), 0u);
  EXPECT_EQ(records_[2]["traits.a"], "1");
  EXPECT_EQ(records_[2]["traits.b_c"], "2");
  EXPECT_EQ(records_[3]["traits.b_c"], "2");
  EXPECT_EQ(records_[0]["event_type"], "sign_up");
  EXPECT_EQ(records_[2]["event_type"], "log_in");
  EXPECT_EQ(records_[3]["event_text"], "Log In");
}

TEST_F(SegmentTest, MessageRulesRejectOneMessageNotTheBatch) {
  ASSERT_EQ(Run(SegmentCall::kBatch, R"({"batch":[
      {"type":"track","userId":"u"},
      {"type":"nope","userId":"u"},
      {"userId":"u"},
      {"type":"track","event":"x"},
      {"type":"track","event":"!!!","userId":"u"},
      {"type":"track","event":"x","userId":"u","timestamp":"yesterday"},
      {"type":"track","event":"x","userId":"u","sentAt":"later","timestamp":"2026-01-01T00:00:00Z"},
      {"type":"track","event":"x","userId":{"id":1}},
      "not an object",
      {"type":"track","event":"x","userId":"u","properties":{"a b":1,"a_b":2}},
      {"type":"track","event":"ok","userId":"u"}]})"),
            "");
  EXPECT_EQ(out_.accepted, 1u);
  std::vector<std::pair<uint32_t, std::string>> got;
  for (const Rejection& r : out_.rejected) got.emplace_back(r.index, r.field);
  EXPECT_EQ(got, (std::vector<std::pair<uint32_t, std::string>>{{0, "event"},
                                                                {1, "type"},
                                                                {2, "type"},
                                                                {3, "userId"},
                                                                {4, "event"},
                                                                {5, "timestamp"},
                                                                {6, "sentAt"},
                                                                {7, "userId"},
                                                                {8, ""},
                                                                {9, "properties.a_b"}}));
  EXPECT_EQ(out_.rejected[9].error, "duplicate key");
}

TEST_F(SegmentTest, LimitsBeforeParsing) {
  std::string big = R"({"batch":[)";
  while (big.size() <= kSegmentMaxBatchBytes) big += R"({"type":"track","event":"x","userId":"u"},)";
  big += "1]}";
  EXPECT_NE(Run(SegmentCall::kBatch, big).find("at most 512000 bytes"), std::string::npos);
  EXPECT_NE(Run(SegmentCall::kTrack, std::string(40000, ' ')).find("at most 32768 bytes"), std::string::npos);
  EXPECT_NE(Run(SegmentCall::kBatch, "{not json").find("valid JSON"), std::string::npos);
  EXPECT_NE(Run(SegmentCall::kBatch, "[]").find("JSON object"), std::string::npos);
  EXPECT_EQ(Run(SegmentCall::kBatch, "{}"), "batch: required");
  // Nesting deeper than kMaxJsonDepth: that message is rejected, the next one lands.
  std::string deep = R"({"batch":[{"type":"track","event":"x","userId":"u","properties":)";
  for (int i = 0; i < 100; ++i) deep += R"({"a":)";
  deep += "1" + std::string(100, '}') + R"(},{"type":"track","event":"y","userId":"u"}]})";
  ASSERT_EQ(Run(SegmentCall::kBatch, deep), "");
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_EQ(out_.rejected[0].field, "properties");
  EXPECT_EQ(out_.rejected[0].error, "must nest at most 64 levels");
  rules_.max_events_per_request = 2;
  EXPECT_NE(Run(SegmentCall::kBatch, R"({"batch":[{},{},{}]})").find("at most 2 messages"), std::string::npos);
  EXPECT_TRUE(out_.spans.empty());
  rules_ = {};
  // A message over max_event_bytes inside a batch: rejected alone, before its fields are read.
  rules_.max_event_bytes = 300;
  ASSERT_EQ(Run(SegmentCall::kBatch, R"({"batch":[{"type":"track","event":"x","userId":"u","properties":{"p":")" +
                                         std::string(400, 'y') + R"("}},{"type":"track","event":"y","userId":"u"}]})"),
            "");
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_NE(out_.rejected[0].error.find("larger than 300"), std::string::npos);
  // Over the size, its content is not judged (a bad value, nesting too deep): the size is named.
  std::string deep_big = R"({"batch":[{"type":"track","event":"x","userId":"u","properties":{"p":")" +
                         std::string(400, 'y') + R"(","q":tru,"r":)";
  for (int i = 0; i < 100; ++i) deep_big += R"({"a":)";
  deep_big += "1" + std::string(100, '}') + R"(}},{"type":"track","event":"y","userId":"u"}]})";
  ASSERT_EQ(Run(SegmentCall::kBatch, deep_big), "");
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_NE(out_.rejected[0].error.find("larger than 300"), std::string::npos);
  EXPECT_EQ(out_.rejected[0].index, 0u);
  // Under it, the same bad value fails the request as malformed JSON.
  EXPECT_NE(Run(SegmentCall::kBatch, R"({"batch":[{"type":"track","event":"x","userId":"u","properties":{"q":tru}}]})")
                .find("valid JSON"),
            std::string::npos);
}

}  // namespace
}  // namespace tracklake
