// Body formats, batches and whole-body failures of Validator::Parse.
#include <gtest/gtest.h>

#include <string>

#include "validate/dead_letter.h"
#include "validate/validate_test_util.h"

namespace tracklake {
namespace {

// Whole-body failure: InvalidArgument and nothing left in the output.
#define EXPECT_BODY_FAILS(body, format, message_part)                              \
  do {                                                                             \
    const Status s_ = Run(body, format);                                           \
    EXPECT_EQ(s_.code(), Status::Code::kInvalidArgument) << s_.ToString();         \
    EXPECT_NE(s_.message().find(message_part), std::string::npos) << s_.message(); \
    EXPECT_TRUE(out_.records.empty());                                             \
    EXPECT_TRUE(out_.spans.empty());                                               \
    EXPECT_TRUE(out_.rejected.empty());                                            \
    EXPECT_EQ(out_.accepted, 0u);                                                  \
  } while (0)

TEST_F(ValidateTest, SingleObjectBodyIsOneEvent) {
  ASSERT_TRUE(Run("  {\"event_type\":\"a\"}\n").ok());
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.spans.size(), 1u);
  EXPECT_EQ(out_.spans[0].offset, 0u);
  EXPECT_EQ(out_.spans[0].size, out_.records.size());
}

TEST_F(ValidateTest, MixedBatchKeepsIndicesRawTextAndRecordOrder) {
  const std::string bad1 = R"({"event_type":"b", "n": 1, "nested": {"x": [1, {"y": 2}]}})";
  const std::string bad3 = R"({"bad key":"v","event_type":"c"})";
  const std::string body = "[ {\"event_type\":\"a\"} ,\n  " + bad1 + " , {\"event_type\":\"ok\",\"k\":\"v\"},\t" +
                           bad3 + ", 7 , {\"event_type\":\"last\"} ]";
  ASSERT_TRUE(Run(body).ok());
  EXPECT_EQ(out_.accepted, 3u);
  ASSERT_EQ(out_.rejected.size(), 3u);
  EXPECT_EQ(out_.rejected[0].index, 1u);
  EXPECT_EQ(out_.rejected[0].field, "n");
  EXPECT_EQ(out_.rejected[1].index, 3u);
  EXPECT_EQ(out_.rejected[1].field, "bad key");
  EXPECT_EQ(out_.rejected[2].index, 4u);
  EXPECT_EQ(out_.rejected[2].error, "must be a JSON object");

  ASSERT_EQ(records_.size(), 6u);
  const RecordKind kinds[] = {RecordKind::kEvent,    RecordKind::kRejected, RecordKind::kEvent,
                              RecordKind::kRejected, RecordKind::kRejected, RecordKind::kEvent};
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(records_[i].kind, kinds[i]) << i;
  EXPECT_EQ(Value(records_[0], "event_type"), "a");
  EXPECT_EQ(Value(records_[1], "index"), "1");
  EXPECT_EQ(Value(records_[1], "raw"), bad1);
  EXPECT_EQ(Value(records_[2], "k"), "v");
  EXPECT_EQ(Value(records_[3], "index"), "3");
  EXPECT_EQ(Value(records_[3], "raw"), bad3);
  EXPECT_EQ(Value(records_[4], "raw"), "7");
  EXPECT_EQ(Value(records_[5], "event_type"), "last");

  // Spans tile the records buffer back to back.
  uint32_t next = 0;
  for (const RecordSpan& span : out_.spans) {
    EXPECT_EQ(span.offset, next);
    next += span.size;
  }
  EXPECT_EQ(next, out_.records.size());
}

TEST_F(ValidateTest, ClientIdsListTheSpansOfAcceptedEventsThatCameWithAnEventId) {
  const std::string body = R"([{"event_type":"a","event_id":"c1"},{"event_type":"b"},)"
                           R"({"event_type":"c","event_id":"x","n":1},{"event_id":"c2","event_type":"d"}])";
  ASSERT_TRUE(Run(body).ok());
  // spans: a (client id), b (generated), the rejected c, d (client id).
  ASSERT_EQ(out_.spans.size(), 4u);
  EXPECT_EQ(out_.client_ids, (std::vector<uint32_t>{0, 3}));
  ASSERT_TRUE(Run(R"({"event_type":"a"})").ok());
  EXPECT_TRUE(out_.client_ids.empty());
}

TEST_F(ValidateTest, EmptyArrayIsAValidBodyWithNoEvents) {
  ASSERT_TRUE(Run(" [ ] ").ok());
  EXPECT_EQ(out_.accepted, 0u);
  EXPECT_TRUE(out_.spans.empty());
}

TEST_F(ValidateTest, OutputIsClearedBetweenCalls) {
  ASSERT_TRUE(Run(R"([{"event_type":"a"},{"event_type":"b"},1])").ok());
  ASSERT_TRUE(Run(R"({"event_type":"c"})").ok());
  EXPECT_EQ(out_.accepted, 1u);
  EXPECT_TRUE(out_.rejected.empty());
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Value(records_[0], "event_type"), "c");
}

TEST_F(ValidateTest, WholeBodyFailures) {
  ASSERT_TRUE(Run(R"([{"event_type":"a"}])").ok());  // leaves output for the failures to clear
  EXPECT_BODY_FAILS("", BodyFormat::kJson, "empty");
  EXPECT_BODY_FAILS(" \n\t", BodyFormat::kJson, "empty");
  EXPECT_BODY_FAILS("[1,", BodyFormat::kJson, "not valid JSON");
  EXPECT_BODY_FAILS("nope", BodyFormat::kJson, "JSON");
  EXPECT_BODY_FAILS(R"("str")", BodyFormat::kJson, "must be a JSON object or an array");
  EXPECT_BODY_FAILS("42", BodyFormat::kJson, "must be a JSON object or an array");
  EXPECT_BODY_FAILS("{\"event_type\":\"\xff\"}", BodyFormat::kJson, "not valid UTF-8");
  EXPECT_BODY_FAILS(R"({"event_type":"a"} x)", BodyFormat::kJson, "not valid JSON");
  EXPECT_BODY_FAILS(R"({"event_type":"a"} {"event_type":"b"})", BodyFormat::kJson, "not valid JSON");
  EXPECT_BODY_FAILS(R"([{"event_type":"a"}]])", BodyFormat::kJson, "not valid JSON");
  EXPECT_BODY_FAILS(R"([{"event_type":"a"},])", BodyFormat::kJson, "not valid JSON");
  EXPECT_BODY_FAILS(R"([{"event_type" "a"}])", BodyFormat::kJson, "not valid JSON");
  EXPECT_BODY_FAILS(R"([{"event_type":"a\q"}])", BodyFormat::kJson, "not valid JSON");
  EXPECT_BODY_FAILS(R"([{"event_type":"a"}, nope])", BodyFormat::kJson, "not valid JSON");
}

TEST_F(ValidateTest, MalformedNumberIsABodyFailureEvenWhenCoerced) {
  rules_.coerce_scalars = true;
  EXPECT_BODY_FAILS(R"([{"event_type":"a","n":01}])", BodyFormat::kJson, "not valid JSON");
  EXPECT_BODY_FAILS(R"([{"event_type":"a","n":1.}])", BodyFormat::kJson, "not valid JSON");
}

TEST_F(ValidateTest, EventCountLimitIsInclusive) {
  rules_.max_events_per_request = 3;
  ASSERT_TRUE(Run(R"([{"event_type":"a"},{"event_type":"a"},1])").ok());
  EXPECT_EQ(out_.accepted + out_.rejected.size(), 3u);
  EXPECT_BODY_FAILS(R"([{"event_type":"a"},{"event_type":"a"},{"event_type":"a"},{}])", BodyFormat::kJson,
                    "more than 3 events");
  EXPECT_BODY_FAILS("{}\n{}\n\n{}\n{}\n", BodyFormat::kNdjson, "more than 3 events");
  ASSERT_TRUE(Run("{}\n\n{}\n{}\n\n", BodyFormat::kNdjson).ok());
}

TEST_F(ValidateTest, ManyEventsInOneArray) {
  std::string body = "[";
  constexpr int kEvents = 2000;
  for (int i = 0; i < kEvents; ++i) {
    if (i > 0) body += ",";
    body += i % 10 == 9 ? R"({"x":"no type"})" : R"({"event_type":"e","i":")" + std::to_string(i) + "\"}";
  }
  body += "]";
  ASSERT_TRUE(Run(body).ok());
  EXPECT_EQ(out_.accepted, kEvents - kEvents / 10);
  ASSERT_EQ(out_.rejected.size(), static_cast<size_t>(kEvents / 10));
  EXPECT_EQ(out_.rejected.back().index, static_cast<uint32_t>(kEvents - 1));
  EXPECT_EQ(Value(records_[kEvents - 2], "i"), std::to_string(kEvents - 2));
}

TEST_F(ValidateTest, NdjsonSkipsBlankLinesAndIndexesByLineNumber) {
  const std::string body =
      "{\"event_type\":\"a\"}\n"
      "\n"
      "   \t\n"
      "{\"event_type\":\"b\",\"n\":1}\r\n"
      "{\"event_type\":\"c\"}";  // no final newline
  ASSERT_TRUE(Run(body, BodyFormat::kNdjson).ok());
  EXPECT_EQ(out_.accepted, 2u);
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_EQ(out_.rejected[0].index, 3u);
  EXPECT_EQ(out_.rejected[0].field, "n");
  ASSERT_EQ(records_.size(), 3u);
  EXPECT_EQ(Value(records_[1], "raw"), "{\"event_type\":\"b\",\"n\":1}");  // without the CR
  EXPECT_EQ(Value(records_[2], "event_type"), "c");
}

TEST_F(ValidateTest, NdjsonBrokenLinesAreRejectedNotTheBody) {
  const std::string broken = "{\"event_type\":";
  const std::string two = R"({"event_type":"a"} {"event_type":"b"})";
  const std::string body = broken + "\n" + two + "\nnope\n[1,2]\n\"s\"\n{\"event_type\":\"ok\"}\n";
  ASSERT_TRUE(Run(body, BodyFormat::kNdjson).ok());
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.rejected.size(), 5u);
  const std::pair<uint32_t, std::string> expected[] = {{0, "must be valid JSON"},
                                                       {1, "must be valid JSON"},
                                                       {2, "must be valid JSON"},
                                                       {3, "must be a JSON object"},
                                                       {4, "must be a JSON object"}};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(out_.rejected[i].index, expected[i].first);
    EXPECT_EQ(out_.rejected[i].field, "");
    EXPECT_EQ(out_.rejected[i].error, expected[i].second);
  }
  EXPECT_EQ(Value(records_[0], "raw"), broken);
  EXPECT_EQ(Value(records_[1], "raw"), two);
  EXPECT_EQ(Value(records_[3], "raw"), "[1,2]");
}

TEST_F(ValidateTest, NdjsonLineWithInvalidUtf8IsDeadLetteredAsBase64) {
  const std::string bad = "{\"event_type\":\"a\",\"v\":\"\xff\xfe\"}";
  ASSERT_TRUE(Run(bad + "\n{\"event_type\":\"b\"}\n", BodyFormat::kNdjson).ok());
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_EQ(out_.rejected[0].error, "must be valid UTF-8");
  const EventView& d = records_[0];
  EXPECT_EQ(Value(d, "raw"), "<absent>");
  std::string expected;
  AppendBase64(expected, bad);
  EXPECT_EQ(Value(d, "raw_base64"), expected);
}

TEST_F(ValidateTest, NdjsonSizeRuleMeasuresTheLine) {
  rules_.max_event_bytes = 30;
  const std::string fits = R"({"event_type":"a","p":"xxxxx"})";  // 30 bytes
  const std::string over = R"({"event_type":"a","p":"xxxxxx"})";
  ASSERT_EQ(fits.size(), 30u);
  ASSERT_TRUE(Run(fits + "\n" + over + "\n", BodyFormat::kNdjson).ok());
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_EQ(out_.rejected[0].index, 1u);
  EXPECT_EQ(out_.rejected[0].error, "event is larger than 30 bytes");
  EXPECT_EQ(Value(records_[1], "raw"), over);
}

TEST_F(ValidateTest, NdjsonWithOnlyBlankLinesIsEmpty) { EXPECT_BODY_FAILS("\n \n\r\n", BodyFormat::kNdjson, "empty"); }

TEST_F(ValidateTest, DeadLetterAppIdIsEmptyWithoutAuth) {
  info_.app_id = "";
  ASSERT_TRUE(Run("[1]").ok());
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Value(records_[0], "app_id"), "");
}

}  // namespace
}  // namespace tracklake

namespace tracklake {

// curl --data-binary @events.ndjson sends form-urlencoded: the body is NDJSON all the same.
TEST_F(ValidateTest, JsonBodyOfSeveralLinesIsReadAsNdjson) {
  const std::string body = "{\"event_type\":\"a\"}\n{\"event_type\":\"b\",\"n\":1}\n[{\"event_type\":\"c\"}]\n";
  ASSERT_TRUE(Run(body, BodyFormat::kJson).ok());
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.rejected.size(), 2u);
  EXPECT_EQ(out_.rejected[0].index, 1u);
  EXPECT_EQ(out_.rejected[0].field, "n");
  EXPECT_EQ(out_.rejected[1].index, 2u);  // an array on a line of its own is not an event
  // A pretty-printed document is one document, whatever its line breaks.
  ASSERT_TRUE(Run("[\n  {\"event_type\": \"a\"},\n  {\"event_type\": \"b\"}\n]\n", BodyFormat::kJson).ok());
  EXPECT_EQ(out_.accepted, 2u);
  // Broken JSON without lines of objects stays a body failure.
  EXPECT_FALSE(Run("{\"event_type\":\"a\"\n", BodyFormat::kJson).ok());
}

TEST_F(ValidateTest, SeveralValuesOnOneLineNameTheNdjsonType) {
  const Status s = Run(R"({"event_type":"a"} {"event_type":"b"})", BodyFormat::kJson);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("application/x-ndjson"), std::string::npos) << s.message();
}

class ValidateFlatTest : public ValidateTest {
 protected:
  // Runs CheckFlat on fields (key, value pairs) with rules_ and info_ and decodes the output.
  void RunFlat(std::vector<std::pair<std::string, std::string>> pairs, std::string_view raw = "{}") {
    std::vector<Field> fields;
    for (const auto& [k, v] : pairs) fields.push_back({k, v});
    Validator validator(rules_);
    out_.Clear();
    info_.received_at_ms = kTestReceivedAtMs;
    validator.CheckFlat(fields.data(), fields.size(), raw, 7, info_, out_);
    records_.clear();
    for (const RecordSpan& span : out_.spans) {
      EventView view;
      ASSERT_TRUE(DecodeEventRecord(std::string_view(out_.records).substr(span.offset, span.size), view).ok());
      records_.push_back(std::move(view));
    }
  }
};

TEST_F(ValidateFlatTest, AcceptedEventHasTheCanonicalFieldsFirst) {
  RunFlat({{"properties.a", "1"},
           {"event_id", "m-1"},
           {"event_type", "order_completed"},
           {"event_time", "2026-11-26T06:00:00.000Z"}});
  ASSERT_EQ(out_.accepted, 1u);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(Keys(records_[0]),
            (std::vector<std::string>{"event_type", "event_id", "app_id", "properties.a", "event_time"}));
  EXPECT_EQ(Value(records_[0], "app_id"), kTestAppId);
  EXPECT_EQ(records_[0].event_time_ms, 1'795'672'800'000);
}

TEST_F(ValidateFlatTest, TheFieldRulesAreTheJsonOnes) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> fields;
    std::string field;
    std::string error_part;
  };
  const std::vector<Case> cases = {
      {{{"event_type", "Bad Type"}}, "event_type", "must match"},
      {{{"properties.a b", "x"}, {"event_type", "a"}}, "properties.a b", "key must match"},
      {{{"event_type", "a"}, {"k", "1"}, {"k", "2"}}, "k", "duplicate key"},
      {{{"event_type", "a"}, {"received_at", "x"}}, "received_at", "reserved"},
      {{{"event_type", "a"}, {"event_id", std::string(200, 'x')}}, "event_id", "printable ASCII"},
      {{{"event_type", "a"}, {"app_id", "other"}}, "app_id", "does not match"},
      {{{"event_type", "a"}, {"event_time", "yesterday"}}, "event_time", "RFC 3339"},
      {{{"user_id", "u"}}, "event_type", "required"},
  };
  for (const Case& c : cases) {
    RunFlat(c.fields, "{\"raw\":1}");
    ASSERT_EQ(out_.rejected.size(), 1u) << c.field;
    EXPECT_EQ(out_.rejected[0].index, 7u);
    EXPECT_EQ(out_.rejected[0].field, c.field);
    EXPECT_NE(out_.rejected[0].error.find(c.error_part), std::string::npos) << out_.rejected[0].error;
    ASSERT_EQ(records_.size(), 1u);
    EXPECT_EQ(Value(records_[0], "raw"), "{\"raw\":1}");  // the protocol's text is the dead letter
  }
}

TEST_F(ValidateFlatTest, EventLimitsMeasureTheProtocolTextAndTheFlatFields) {
  rules_.max_event_bytes = 300;
  RunFlat({{"event_type", "a"}}, std::string(301, ' '));
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_NE(out_.rejected[0].error.find("larger than 300"), std::string::npos);
  rules_.max_fields = 2;
  RunFlat({{"event_type", "a"}, {"b", "1"}, {"c", "2"}});
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_NE(out_.rejected[0].error.find("too many fields"), std::string::npos);
}

TEST_F(ValidateFlatTest, AllowedEventTypesApply) {
  const std::vector<std::string> allowed = {"page"};
  info_.allowed_event_types = &allowed;
  RunFlat({{"event_type", "track"}});
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_EQ(out_.rejected[0].error, "not allowed for this application");
  RunFlat({{"event_type", "page"}});
  EXPECT_EQ(out_.accepted, 1u);
}

}  // namespace tracklake
