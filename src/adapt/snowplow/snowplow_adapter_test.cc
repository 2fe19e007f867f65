// Snowplow's mapping rules, one by one (docs/ingest-adapters.md).
#include "adapt/snowplow/snowplow_adapter.h"

#include "adapt/adapt_test_util.h"

namespace tracklake {
namespace {

constexpr std::string_view kPayload =
    R"({"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[)";

class SnowplowTest : public ::testing::Test {
 protected:
  std::string Post(std::string_view events, bool anonymous = false, const std::vector<std::string>* ids = nullptr) {
    SnowplowRequest request;
    if (auto e = request.ParsePost(std::string(kPayload) + std::string(events) + "]}", rules_)) {
      return e->field + ": " + e->rule;
    }
    return Emit(request, anonymous, ids);
  }
  std::string Get(std::string_view query) {
    SnowplowRequest request;
    if (auto e = request.ParseGet(query, rules_)) return e->field + ": " + e->rule;
    return Emit(request, false, nullptr);
  }
  std::string Emit(SnowplowRequest& request, bool anonymous, const std::vector<std::string>* ids) {
    first_aid_ = std::string(request.first_app_id());
    Validator validator(rules_);
    RequestInfo info{"shop", kAdaptReceivedAtMs, nullptr};
    if (auto e = request.Emit(validator, info, anonymous, ids, out_)) return e->field + ": " + e->rule;
    records_ = Records(out_);
    return "";
  }
  ValidationRules rules_;
  ValidatedBody out_;
  std::vector<std::map<std::string, std::string>> records_;
  std::string first_aid_;
};

TEST_F(SnowplowTest, EventCodesAndIds) {
  ASSERT_EQ(Post(R"({"e":"pv","eid":"e1","aid":"web","uid":"u","duid":"d","sid":"s","url":"https://a/","p":"web",
                     "tv":"js-4","newparam":"x"},{"e":"pp"},{"e":"se","se_ca":"c","se_va":"2"},{"e":"tr"},{"e":"ti"})"),
            "");
  EXPECT_EQ(first_aid_, "web");
  ASSERT_EQ(out_.accepted, 5u);
  auto& r = records_[0];
  EXPECT_EQ(r["event_type"], "page_view");
  EXPECT_EQ(r["event_id"], "e1");
  EXPECT_EQ(r["user_id"], "u");
  EXPECT_EQ(r["anonymous_id"], "d");
  EXPECT_EQ(r["session_id"], "s");
  EXPECT_EQ(r["tracker_app_id"], "web");
  EXPECT_EQ(r["page_url"], "https://a/");
  EXPECT_EQ(r["platform"], "web");
  EXPECT_EQ(r["v_tracker"], "js-4");
  EXPECT_EQ(r["newparam"], "x");
  EXPECT_EQ(records_[1]["event_type"], "page_ping");
  EXPECT_EQ(records_[2]["event_type"], "structured");
  EXPECT_EQ(records_[2]["se_category"], "c");
  EXPECT_EQ(records_[2]["se_value"], "2");
  EXPECT_EQ(records_[3]["event_type"], "transaction");
  EXPECT_EQ(records_[4]["event_type"], "transaction_item");
}

TEST_F(SnowplowTest, TimesAreSkewCorrected) {
  // received 2026-01-01T00:00:10Z; the device created it 5 s before it sent it.
  ASSERT_EQ(Post(R"({"e":"pv","dtm":"1767225595000","stm":"1767225600000"},{"e":"pv","dtm":"1767225595000"},
                    {"e":"pv","dtm":"1","stm":"2","ttm":"1767225000000"},{"e":"pv","dtm":"soon"})"),
            "");
  ASSERT_EQ(out_.accepted, 3u);
  EXPECT_EQ(records_[0]["event_time"], "2026-01-01T00:00:05.000Z");
  EXPECT_EQ(records_[0]["dvce_created_tstamp"], "2025-12-31T23:59:55.000Z");
  EXPECT_EQ(records_[1]["event_time"], "2025-12-31T23:59:55.000Z");  // nothing to correct with
  EXPECT_EQ(records_[2]["event_time"], "2025-12-31T23:50:00.000Z");  // the true timestamp wins
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_EQ(out_.rejected[0].field, "dtm");
}

TEST_F(SnowplowTest, SelfDescribingEventsAndContextsJsonOrBase64url) {
  const std::string ue =
      R"({"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",)"
      R"("data":{"schema":"iglu:com.acme/Check Out/jsonschema/1-2-0","data":{"step":2,"x":{"y":null}}}})";
  const std::string co = R"({"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0","data":[)"
                         R"({"schema":"iglu:com.acme/user/jsonschema/2-0-0","data":{"tier":"gold"}},)"
                         R"({"schema":"iglu:com.acme/user/jsonschema/2-0-0","data":{"tier":"silver"}}]})";
  std::string escaped_ue, escaped_co;
  for (char c : ue) escaped_ue += c == '"' ? std::string("\\\"") : std::string(1, c);
  for (char c : co) escaped_co += c == '"' ? std::string("\\\"") : std::string(1, c);
  ASSERT_EQ(Post(R"({"e":"ue","ue_pr":")" + escaped_ue + R"(","co":")" + escaped_co + R"("})"), "");
  ASSERT_EQ(out_.accepted, 1u);
  auto& r = records_[0];
  EXPECT_EQ(r["event_type"], "check_out");
  EXPECT_EQ(r["event_vendor"], "com.acme");
  EXPECT_EQ(r["event_name"], "Check Out");
  EXPECT_EQ(r["event_version"], "1-2-0");
  EXPECT_EQ(r["unstruct_event.step"], "2");
  EXPECT_EQ(r.count("unstruct_event.x.y"), 0u);
  EXPECT_EQ(r["contexts.com_acme_user_2.tier"], "gold");
  EXPECT_EQ(r["contexts.com_acme_user_2_2.tier"], "silver");
  // The same as base64url (unpadded), as the JavaScript tracker encodes them.
  ASSERT_EQ(
      Get("e=ue&ue_px=eyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy91bnN0cnVjdF9ldmVudC9qc29uc2No"
          "ZW1hLzEtMC0wIiwiZGF0YSI6eyJzY2hlbWEiOiJpZ2x1OmNvbS5hY21lL2NsaWNrL2pzb25zY2hlbWEvMS0wLTAiLCJkYXRhIjp7ImEiOjF"
          "9fX0"),
      "");
  ASSERT_EQ(out_.accepted, 1u);
  EXPECT_EQ(records_[0]["event_type"], "click");
  EXPECT_EQ(records_[0]["unstruct_event.a"], "1");
}

TEST_F(SnowplowTest, ContextKeysAndOversizedEventsAcrossABatch) {
  // The contexts prefix of a schema is built once per request: another schema, or the same one
  // again in one event, still gets its own key.
  auto context = [](std::string_view schema, std::string_view tier) {
    return R"({\"schema\":\"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0\",\"data\":[{\"schema\":\")" +
           std::string(schema) + R"(\",\"data\":{\"tier\":\")" + std::string(tier) + R"(\"}}]})";
  };
  ASSERT_EQ(Post(R"({"e":"pv","co":")" + context("iglu:com.acme/user/jsonschema/2-0-0", "a") + R"("},)" +
                 R"({"e":"pv","co":")" + context("iglu:com.acme/user/jsonschema/2-0-0", "b") + R"("},)" +
                 R"({"e":"pv","co":")" + context("iglu:com.acme/plan/jsonschema/1-0-0", "c") + R"("},)" +
                 R"({"e":"pv","co":")" + context("iglu:com.acme/user/jsonschema/2-0-0", "d") + R"("})"),
            "");
  ASSERT_EQ(out_.accepted, 4u);
  EXPECT_EQ(records_[0]["contexts.com_acme_user_2.tier"], "a");
  EXPECT_EQ(records_[1]["contexts.com_acme_user_2.tier"], "b");
  EXPECT_EQ(records_[2]["contexts.com_acme_plan_1.tier"], "c");
  EXPECT_EQ(records_[2].count("contexts.com_acme_user_2.tier"), 0u);
  EXPECT_EQ(records_[3]["contexts.com_acme_user_2.tier"], "d");
  // An event over max_event_bytes is rejected for its size alone, whatever it holds.
  rules_.max_event_bytes = 100;
  ASSERT_EQ(Post(R"({"e":"pv","page":")" + std::string(200, 'y') + R"(","x":{"nested":tru}},{"e":"pv"})"), "");
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_NE(out_.rejected[0].error.find("larger than 100"), std::string::npos);
  EXPECT_NE(Post(R"({"e":"pv","x":tru})").find("valid JSON"), std::string::npos);
}

TEST_F(SnowplowTest, RepeatedContextsAndTimesMapAsTheFirstTime) {
  // A batch's events mostly repeat their contexts and times: the adapter reuses what the last
  // ones gave, and every event must come out as if it were alone.
  const std::string co =
      R"({\"schema\":\"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0\",\"data\":[)"
      R"({\"schema\":\"iglu:com.acme/user/jsonschema/2-0-0\",\"data\":{\"tier\":\"gold\",\"n\":7}}]})";
  const std::string ue =
      R"({\"schema\":\"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0\",)"
      R"(\"data\":{\"schema\":\"iglu:com.acme/click/jsonschema/1-0-0\",\"data\":{\"zzzz\":\"yyyy\"}}})";
  // The same context as base64url: another parameter kind, parsed on its own.
  const std::string cx =
      "eyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy9jb250ZXh0cy9qc29uc2NoZW1hLzEtMC0wIiwiZGF0YSI6"
      "W3sic2NoZW1hIjoiaWdsdTpjb20uYWNtZS91c2VyL2pzb25zY2hlbWEvMi0wLTAiLCJkYXRhIjp7InRpZXIiOiJzaWx2ZXIifX1dfQ";
  const std::string times = R"("dtm":"1767225595000","stm":"1767225600000",)";
  ASSERT_EQ(Post(R"({"e":"pv",)" + times + R"("co":")" + co + R"("},)" +          // parsed
                 R"({"e":"pv",)" + times + R"("co":")" + co + R"("},)" +          // reused
                 R"({"e":"ue","co":")" + co + R"(","ue_pr":")" + ue + R"("},)" +  // reused, then another document
                 R"({"e":"pv","co":")" + co + R"(","co":")" + co + R"("},)" +     // then a second entity
                 R"({"e":"pv","cx":")" + cx + R"(","co":")" + co + R"("},)" +     // cx: parsed, co: a second
                 R"({"e":"pv","dtm":"later"},{"e":"pv","dtm":"1767225596000","stm":"1767225600000"})"),
            "");
  ASSERT_EQ(out_.accepted, 6u);
  for (size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(records_[i]["contexts.com_acme_user_2.tier"], i == 4 ? "silver" : "gold");
    if (i != 4) {
      EXPECT_EQ(records_[i]["contexts.com_acme_user_2.n"], "7");
    }
  }
  EXPECT_EQ(records_[0]["event_time"], "2026-01-01T00:00:05.000Z");
  EXPECT_EQ(records_[1]["event_time"], "2026-01-01T00:00:05.000Z");
  EXPECT_EQ(records_[1]["dvce_sent_tstamp"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(records_[2]["event_type"], "click");
  EXPECT_EQ(records_[2]["unstruct_event.zzzz"], "yyyy");
  EXPECT_EQ(records_[3]["contexts.com_acme_user_2_2.tier"], "gold");
  EXPECT_EQ(records_[4]["contexts.com_acme_user_2_2.tier"], "gold");
  EXPECT_EQ(records_[6]["event_time"], "2026-01-01T00:00:06.000Z");  // records_[5]: the dead letter
  EXPECT_EQ(records_[6]["dvce_created_tstamp"], "2025-12-31T23:59:56.000Z");
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_EQ(out_.rejected[0].field, "dtm");

  // Limits still count what a reused context adds: with 4 fields before it the event holds
  // 7 (too many); with 3, 6.
  rules_.max_fields = 6;
  ASSERT_EQ(Post(R"({"e":"pv","co":")" + co + R"("},{"e":"pv","a":"1","b":"2","c":"3","d":"4","co":")" + co +
                 R"("},{"e":"pv","a":"1","b":"2","c":"3","co":")" + co + R"("})"),
            "");
  EXPECT_EQ(out_.accepted, 2u);
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_EQ(out_.rejected[0].index, 1u);
  EXPECT_EQ(out_.rejected[0].error, "too many fields (at most 6)");
  EXPECT_EQ(records_[2]["contexts.com_acme_user_2.n"], "7");
}

TEST_F(SnowplowTest, BrokenSelfDescribingJsonRejectsTheEvent) {
  ASSERT_EQ(Post(R"({"e":"ue"},{"e":"ue","ue_pr":"{nope"},{"e":"ue","ue_px":"$$$"},{"e":"pv","co":"{\"data\":1}"},)"
                 R"({"e":"zz"},{},{"e":"pv","x":{"nested":1}})"),
            "");
  std::vector<std::string> fields;
  for (const Rejection& r : out_.rejected) fields.push_back(r.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"ue_pr", "ue_pr", "ue_px", "co", "e", "e", "x"}));
}

TEST_F(SnowplowTest, AnonymousDropsIpAndNetworkIdsAndAppIdsAreChecked) {
  ASSERT_EQ(Post(R"({"e":"pv","ip":"1.2.3.4","nuid":"n","tnuid":"t","aid":"web"})", true), "");
  ASSERT_EQ(out_.accepted, 1u);
  EXPECT_EQ(records_[0].count("user_ipaddress"), 0u);
  EXPECT_EQ(records_[0].count("network_userid"), 0u);
  EXPECT_EQ(records_[0].count("tnuid"), 0u);
  const std::vector<std::string> ids = {"web"};
  ASSERT_EQ(Post(R"({"e":"pv","aid":"web"},{"e":"pv","aid":"other"},{"e":"pv"})", false, &ids), "");
  EXPECT_EQ(out_.accepted, 1u);
  ASSERT_EQ(out_.rejected.size(), 2u);
  EXPECT_EQ(out_.rejected[0].field, "aid");
}

TEST_F(SnowplowTest, GetDecodesTheQueryAndRefusesInvalidUtf8) {
  ASSERT_EQ(Get("e=pv&url=https%3A%2F%2Fa.com%2F%3Fq%3D1&page=Hello+World&aid=web"), "");
  ASSERT_EQ(out_.accepted, 1u);
  EXPECT_EQ(records_[0]["page_url"], "https://a.com/?q=1");
  EXPECT_EQ(records_[0]["page_title"], "Hello World");
  EXPECT_EQ(first_aid_, "web");
  ASSERT_EQ(Get("e=pv&page=%ff%fe"), "");
  ASSERT_EQ(out_.rejected.size(), 1u);
  EXPECT_EQ(out_.rejected[0].error, "must be valid UTF-8");
  EXPECT_EQ(Get(""), "e: required");
}

TEST_F(SnowplowTest, BodyShape) {
  SnowplowRequest request;
  EXPECT_EQ(request.ParsePost(R"({"schema":"iglu:x/y/jsonschema/1-0-0","data":[]})", rules_)->field, "schema");
  EXPECT_EQ(request
                .ParsePost(R"({"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"})", rules_)
                ->field,
            "data");
  EXPECT_NE(request.ParsePost("{nope", rules_)->rule.find("valid JSON"), std::string::npos);
  rules_.max_events_per_request = 1;
  EXPECT_NE(Post(R"({"e":"pv"},{"e":"pv"})").find("at most 1 events"), std::string::npos);
}

}  // namespace
}  // namespace tracklake
