// Per-event rules, one by one, through Validator::Parse on single-event bodies.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "common/time_util.h"
#include "validate/validate_test_util.h"

namespace tracklake {
namespace {

using KeyList = std::vector<std::string>;

// {"event_type":"a","pad":"xxx..."} padded to exactly total_bytes of JSON text.
std::string EventOfSize(size_t total_bytes) {
  const std::string head = R"({"event_type":"a","pad":")";
  const std::string tail = R"("})";
  return head + std::string(total_bytes - head.size() - tail.size(), 'x') + tail;
}

// An event with event_type plus extra fields f1..f{extra}.
std::string EventWithFields(size_t extra) {
  std::string s = R"({"event_type":"a")";
  for (size_t i = 1; i <= extra; ++i) s += ",\"f" + std::to_string(i) + "\":\"v\"";
  return s + "}";
}

TEST_F(ValidateTest, MinimalEventGetsServerFieldsInCanonicalOrder) {
  const EventView e = RunAccepted(R"({"event_type":"page_view"})");
  EXPECT_EQ(e.kind, RecordKind::kEvent);
  EXPECT_EQ(e.received_at_ms, kTestReceivedAtMs);
  EXPECT_EQ(e.event_time_ms, kNoEventTime);
  EXPECT_EQ(Keys(e), (KeyList{"event_type", "event_id", "app_id"}));
  EXPECT_EQ(Value(e, "event_type"), "page_view");
  EXPECT_EQ(Value(e, "app_id"), kTestAppId);
}

TEST_F(ValidateTest, GeneratedEventIdIsUuidV7OfReceiveTime) {
  const EventView e = RunAccepted(R"({"event_type":"a"})");
  const std::string id = Value(e, "event_id");
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
  char prefix[16];
  std::snprintf(prefix, sizeof(prefix), "%012llx", static_cast<unsigned long long>(kTestReceivedAtMs));
  const std::string hex(prefix);
  EXPECT_EQ(id.substr(0, 8) + id.substr(9, 4), hex);
}

TEST_F(ValidateTest, ClientFieldsFollowCanonicalOnesInOrderReceived) {
  const EventView e = RunAccepted(R"({"zeta":"1","app_id":"shop","alpha":"2","event_id":"id-1","event_type":"buy",)"
                                  R"("event_time":"2026-11-26T07:07:15.5+01:00","mid":"3"})");
  EXPECT_EQ(Keys(e), (KeyList{"event_type", "event_id", "app_id", "zeta", "alpha", "event_time", "mid"}));
  EXPECT_EQ(Value(e, "event_id"), "id-1");
  EXPECT_EQ(Value(e, "event_time"), "2026-11-26T07:07:15.5+01:00");  // kept as sent
  EXPECT_EQ(e.event_time_ms, *ParseRfc3339Millis("2026-11-26T06:07:15.500Z"));
}

TEST_F(ValidateTest, NonObjectEventsAreRejectedAsAWhole) {
  ASSERT_TRUE(Run(R"([1, "s", null, true, [{"event_type":"a"}]])").ok());
  ASSERT_EQ(out_.rejected.size(), 5u);
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(out_.rejected[i].index, i);
    EXPECT_EQ(out_.rejected[i].field, "");
    EXPECT_EQ(out_.rejected[i].error, "must be a JSON object");
  }
  EXPECT_EQ(Value(records_[1], "raw"), R"("s")");
  EXPECT_EQ(Value(records_[4], "raw"), R"([{"event_type":"a"}])");
}

TEST_F(ValidateTest, EventAtSizeLimitIsAcceptedAndOneByteMoreIsRejected) {
  const std::string at_limit = EventOfSize(rules_.max_event_bytes);
  ASSERT_EQ(at_limit.size(), 32768u);
  RunAccepted(at_limit);

  const Rejection r = RunRejected(EventOfSize(rules_.max_event_bytes + 1));
  EXPECT_EQ(r.field, "");
  EXPECT_EQ(r.error, "event is larger than 32768 bytes");
}

TEST_F(ValidateTest, FieldCountAtLimitIsAcceptedAndOneMoreIsRejected) {
  const EventView e = RunAccepted(EventWithFields(rules_.max_fields - 1));
  EXPECT_EQ(e.fields.size(), rules_.max_fields + 2);  // plus event_id and app_id

  const Rejection r = RunRejected(EventWithFields(rules_.max_fields));
  EXPECT_EQ(r.field, "");
  EXPECT_EQ(r.error, "too many fields (at most 256)");
}

TEST_F(ValidateTest, FieldCountRuleOutranksAnEarlierBadField) {
  std::string body = R"({"event_type":"a","bad key":"v")";
  for (size_t i = 1; i < rules_.max_fields; ++i) body += ",\"f" + std::to_string(i) + "\":\"v\"";
  body += "}";
  EXPECT_EQ(RunRejected(body).error, "too many fields (at most 256)");
}

TEST_F(ValidateTest, KeysMustMatchThePattern) {
  const std::string kError = "key must match [A-Za-z_][A-Za-z0-9_.-]{0,127}";
  for (const std::string key : {"1abc", "", "a b", "-x", ".x", "caf\xc3\xa9", "a/b", "a\\u0000b"}) {
    SCOPED_TRACE(key);
    const Rejection r = RunRejected(R"({"event_type":"a",")" + key + R"(":"v"})");
    EXPECT_EQ(r.error, kError);
  }
  EXPECT_EQ(RunRejected(R"({"event_type":"a","a b":"v"})").field, "a b");
  EXPECT_EQ(RunRejected(R"({"event_type":"a","a\u0000b":"v"})").field, std::string("a\0b", 3));
  for (const std::string key : {"a", "_", "A_b.c-d9", "_1"}) {
    SCOPED_TRACE(key);
    RunAccepted(R"({"event_type":"a",")" + key + R"(":"v"})");
  }
}

TEST_F(ValidateTest, KeyLengthLimitAndTruncatedFieldInRejection) {
  const std::string longest(rules_.max_key_bytes, 'k');
  RunAccepted(R"({"event_type":"a",")" + longest + R"(":"v"})");

  const Rejection r = RunRejected(R"({"event_type":"a",")" + longest + R"(k":"v"})");
  EXPECT_EQ(r.field, longest);
  EXPECT_EQ(r.error, "key must match [A-Za-z_][A-Za-z0-9_.-]{0,127}");
}

TEST_F(ValidateTest, EscapedKeyIsCheckedAndStoredUnescaped) {
  const EventView e = RunAccepted(R"({"event_type":"a","\u0061b":"v"})");
  EXPECT_EQ(Keys(e).back(), "ab");
}

TEST_F(ValidateTest, DuplicateKeyIsRejected) {
  const Rejection r = RunRejected(R"({"event_type":"a","x":"1","y":"2","x":"3"})");
  EXPECT_EQ(r.field, "x");
  EXPECT_EQ(r.error, "duplicate key");
  EXPECT_EQ(RunRejected(R"({"event_type":"a","event_type":"b"})").field, "event_type");
  // Same key spelled with an escape is still the same key.
  EXPECT_EQ(RunRejected(R"({"event_type":"a","ab":"1","a\u0062":"2"})").error, "duplicate key");
}

TEST_F(ValidateTest, NonStringValuesAreRejectedWithTheirType) {
  const std::pair<std::string, std::string> cases[] = {{"12", "number"},     {"-1.5e3", "number"},
                                                       {"true", "bool"},     {"false", "bool"},
                                                       {"null", "null"},     {R"({"a":"b"})", "object"},
                                                       {R"(["a"])", "array"}};
  for (const auto& [json, type] : cases) {
    SCOPED_TRACE(json);
    const Rejection r = RunRejected(R"({"event_type":"a","v":)" + json + "}");
    EXPECT_EQ(r.field, "v");
    EXPECT_EQ(r.error, "must be a string (got " + type + ")");
  }
}

TEST_F(ValidateTest, CoerceScalarsKeepsNumberTextAndSpellsBools) {
  rules_.coerce_scalars = true;
  const EventView e = RunAccepted(R"({"event_type":"a","i":12,"f":-1.5E+3,"big":123456789012345678901234567890,)"
                                  R"("z":0 ,"t":true,"u":false})");
  EXPECT_EQ(Value(e, "i"), "12");
  EXPECT_EQ(Value(e, "f"), "-1.5E+3");
  EXPECT_EQ(Value(e, "big"), "123456789012345678901234567890");
  EXPECT_EQ(Value(e, "z"), "0");
  EXPECT_EQ(Value(e, "t"), "true");
  EXPECT_EQ(Value(e, "u"), "false");
}

TEST_F(ValidateTest, CoerceScalarsStillRejectsNullObjectAndArray) {
  rules_.coerce_scalars = true;
  EXPECT_EQ(RunRejected(R"({"event_type":"a","v":null})").error, "must be a string (got null)");
  EXPECT_EQ(RunRejected(R"({"event_type":"a","v":{}})").error, "must be a string (got object)");
  EXPECT_EQ(RunRejected(R"({"event_type":"a","v":[]})").error, "must be a string (got array)");
}

TEST_F(ValidateTest, CoercedEventTypeMustStillMatchItsPattern) {
  rules_.coerce_scalars = true;
  EXPECT_EQ(Value(RunAccepted(R"({"event_type":42})"), "event_type"), "42");
  EXPECT_EQ(RunRejected(R"({"event_type":1.5})").error, "must match [a-z0-9_]{1,64}");
}

TEST_F(ValidateTest, EventTypeIsRequired) {
  const Rejection r = RunRejected(R"({"name":"x"})");
  EXPECT_EQ(r.field, "event_type");
  EXPECT_EQ(r.error, "required");
  EXPECT_EQ(RunRejected("{}").error, "required");
}

TEST_F(ValidateTest, EventTypeMustMatchPatternUpToItsLengthLimit) {
  RunAccepted(R"({"event_type":")" + std::string(64, 'a') + R"("})");
  RunAccepted(R"({"event_type":"a_1_z"})");
  for (const std::string& bad : {std::string(65, 'a'), std::string(""), std::string("Page"), std::string("a-b"),
                                 std::string("a b"), std::string("\xc3\xa9")}) {
    SCOPED_TRACE(bad);
    const Rejection r = RunRejected(R"({"event_type":")" + bad + R"("})");
    EXPECT_EQ(r.field, "event_type");
    EXPECT_EQ(r.error, "must match [a-z0-9_]{1,64}");
  }
}

TEST_F(ValidateTest, EventTypesStartingWithAnUnderscoreAreReserved) {
  for (const std::string bad : {"_rejected", "_", "__", "_x"}) {
    SCOPED_TRACE(bad);
    const Rejection r = RunRejected(R"({"event_type":")" + bad + R"("})");
    EXPECT_EQ(r.field, "event_type");
    EXPECT_EQ(r.error, "reserved: event types starting with _ are tracklake's");
  }
  RunAccepted(R"({"event_type":"a_"})");
  // An app's allow-list cannot open them either (configuration refuses it too).
  const std::vector<std::string> allowed = {"_rejected"};
  info_.allowed_event_types = &allowed;
  EXPECT_EQ(RunRejected(R"({"event_type":"_rejected"})").error,
            "reserved: event types starting with _ are tracklake's");
}

TEST_F(ValidateTest, EventTypeMustBeAllowedWhenTheAppHasAList) {
  const std::vector<std::string> allowed = {"signup", "buy"};
  info_.allowed_event_types = &allowed;
  RunAccepted(R"({"event_type":"buy"})");
  const Rejection r = RunRejected(R"({"event_type":"refund"})");
  EXPECT_EQ(r.field, "event_type");
  EXPECT_EQ(r.error, "not allowed for this application");

  const std::vector<std::string> none;
  info_.allowed_event_types = &none;
  RunAccepted(R"({"event_type":"refund"})");
}

TEST_F(ValidateTest, AppIdMustMatchTheWriteKey) {
  const EventView e = RunAccepted(R"({"event_type":"a","app_id":"shop"})");
  EXPECT_EQ(Keys(e), (KeyList{"event_type", "event_id", "app_id"}));  // not stored twice

  const Rejection r = RunRejected(R"({"event_type":"a","app_id":"other"})");
  EXPECT_EQ(r.field, "app_id");
  EXPECT_EQ(r.error, "does not match the application of the write key");
}

TEST_F(ValidateTest, WithoutAuthTheEventsAppIdOrDefaultIsStored) {
  info_.app_id = "";
  EXPECT_EQ(Value(RunAccepted(R"({"event_type":"a","app_id":"blog"})"), "app_id"), "blog");
  EXPECT_EQ(Value(RunAccepted(R"({"event_type":"a"})"), "app_id"), "default");
}

TEST_F(ValidateTest, ClientEventIdMustBePrintableAsciiUpTo128Bytes) {
  const std::string longest(128, '~');
  EXPECT_EQ(Value(RunAccepted(R"({"event_type":"a","event_id":")" + longest + R"("})"), "event_id"), longest);
  EXPECT_EQ(Value(RunAccepted(R"({"event_type":"a","event_id":"a b!"})"), "event_id"), "a b!");
  for (const std::string& bad : {std::string(129, 'x'), std::string(""), std::string("a\\tb"), std::string("\xc3\xa9"),
                                 std::string("a\\u007fb")}) {
    SCOPED_TRACE(bad);
    const Rejection r = RunRejected(R"({"event_type":"a","event_id":")" + bad + R"("})");
    EXPECT_EQ(r.field, "event_id");
    EXPECT_EQ(r.error, "must be 1 to 128 printable ASCII characters");
  }
}

TEST_F(ValidateTest, EventTimeMustBeRfc3339) {
  const EventView e = RunAccepted(R"({"event_type":"a","event_time":"2026-11-26T06:07:15.123Z"})");
  EXPECT_EQ(e.event_time_ms, kTestReceivedAtMs);
  for (const std::string bad : {"yesterday", "2026-11-26", "2026-02-30T00:00:00Z", ""}) {
    SCOPED_TRACE(bad);
    const Rejection r = RunRejected(R"({"event_type":"a","event_time":")" + bad + R"("})");
    EXPECT_EQ(r.field, "event_time");
    EXPECT_EQ(r.error, "must be an RFC 3339 date-time such as 2026-11-26T06:07:15.123Z");
  }
}

// Readers fail on a whole file holding one timestamp they cannot take: pyarrow and DuckDB outside
// years 1-9999, Spark (by default) before 1900.
TEST_F(ValidateTest, EventTimeMustFallWithin1900To9999InUtc) {
  for (const std::string bad : {"0000-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59",
                                "1899-12-31T23:59:59.999Z", "1900-01-01T00:00:00+00:01"}) {
    SCOPED_TRACE(bad);
    const Rejection r = RunRejected(R"({"event_type":"a","event_time":")" + bad + R"("})");
    EXPECT_EQ(r.field, "event_time");
    EXPECT_EQ(r.error, "must fall within 1900-01-01 and 9999-12-31 in UTC, once its offset is applied");
  }
  for (const std::string good : {"1900-01-01T00:00:00Z", "1899-12-31T23:59:00-00:01", "9999-12-31T23:59:59.999Z",
                                 "9999-12-31T00:00:00-23:59"}) {
    SCOPED_TRACE(good);
    RunAccepted(R"({"event_type":"a","event_time":")" + good + R"("})");
  }
}

TEST_F(ValidateTest, ReceivedAtIsReservedWhateverItsValue) {
  for (const std::string value : {R"("2026-11-26T06:07:15Z")", "5", "null"}) {
    const Rejection r = RunRejected(R"({"event_type":"a","received_at":)" + value + "}");
    EXPECT_EQ(r.field, "received_at");
    EXPECT_EQ(r.error, "reserved: set by the server");
  }
}

TEST_F(ValidateTest, OnlyTheFirstBrokenRuleInFieldOrderIsReported) {
  const Rejection r = RunRejected(R"({"n":1,"bad key":"x","event_type":"BAD"})");
  EXPECT_EQ(r.field, "n");
  EXPECT_EQ(r.error, "must be a string (got number)");
  // A per-field failure outranks the missing event_type.
  EXPECT_EQ(RunRejected(R"({"app_id":"other"})").field, "app_id");
}

TEST_F(ValidateTest, RejectedEventBecomesADeadLetterRecord) {
  const std::string body = R"({"event_type":"a", "v": 3})";
  RunRejected(body);
  ASSERT_EQ(records_.size(), 1u);
  const EventView& d = records_[0];
  EXPECT_EQ(d.kind, RecordKind::kRejected);
  EXPECT_EQ(d.received_at_ms, kTestReceivedAtMs);
  EXPECT_EQ(d.event_time_ms, kNoEventTime);
  EXPECT_EQ(Keys(d), (KeyList{"app_id", "index", "field", "error", "raw"}));
  EXPECT_EQ(Value(d, "app_id"), kTestAppId);
  EXPECT_EQ(Value(d, "index"), "0");
  EXPECT_EQ(Value(d, "field"), "v");
  EXPECT_EQ(Value(d, "error"), "must be a string (got number)");
  EXPECT_EQ(Value(d, "raw"), body);
}

TEST_F(ValidateTest, MultibyteUtf8ValuesArePreserved) {
  const std::string text = "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80";
  EXPECT_EQ(Value(RunAccepted(R"({"event_type":"a","msg":")" + text + R"("})"), "msg"), text);
}

TEST_F(ValidateTest, EscapedStringsAreStoredUnescaped) {
  const EventView e = RunAccepted(R"({"event_type":"a","nl":"a\nb","q":"say \"hi\"","e":"caf\u00e9",)"
                                  R"("emoji":"\ud83d\ude00","slash":"a\/b\\c","nul":"a\u0000b"})");
  EXPECT_EQ(Value(e, "nl"), "a\nb");
  EXPECT_EQ(Value(e, "q"), "say \"hi\"");
  EXPECT_EQ(Value(e, "e"), "caf\xc3\xa9");
  EXPECT_EQ(Value(e, "emoji"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(Value(e, "slash"), "a/b\\c");
  EXPECT_EQ(Value(e, "nul"), std::string("a\0b", 3));  // not cut at the NUL
}

TEST_F(ValidateTest, FourKilobyteEventIsCopiedIntact) {
  std::string big;
  for (int i = 0; big.size() < 4096; ++i) big += "chunk" + std::to_string(i) + ";";
  const EventView e = RunAccepted(R"({"event_type":"a","payload":")" + big + R"("})");
  EXPECT_EQ(Value(e, "payload"), big);
}

TEST_F(ValidateTest, ConfiguredLimitsAppearInTheRuleTexts) {
  rules_.max_event_bytes = 40;
  EXPECT_EQ(RunRejected(EventOfSize(41)).error, "event is larger than 40 bytes");
  rules_ = ValidationRules{};
  rules_.max_fields = 2;
  EXPECT_EQ(RunRejected(R"({"event_type":"a","b":"","c":""})").error, "too many fields (at most 2)");
  rules_ = ValidationRules{};
  rules_.max_key_bytes = 12;
  EXPECT_EQ(RunRejected(R"({"event_type":"a","abcdefghijklm":""})").error,
            "key must match [A-Za-z_][A-Za-z0-9_.-]{0,11}");
  rules_ = ValidationRules{};
  rules_.max_event_type_bytes = 3;
  EXPECT_EQ(RunRejected(R"({"event_type":"abcd"})").error, "must match [a-z0-9_]{1,3}");
}

}  // namespace
}  // namespace tracklake
