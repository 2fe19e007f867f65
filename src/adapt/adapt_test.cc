// The mapping rules every adapter shares: event names, key segments, skew correction, base64,
// query strings, flattening and its bounds.
#include <gtest/gtest.h>

#include "adapt/base64url.h"
#include "adapt/event_time.h"
#include "adapt/flat_event.h"
#include "adapt/naming.h"
#include "adapt/query_string.h"

namespace tracklake {
namespace {

std::string Normalized(std::string_view name, size_t max = 64) {
  std::string out;
  return NormalizeEventName(name, max, out) ? out : "<none>";
}

std::string Segment(std::string_view name) {
  std::string out;
  AppendKeySegment(name, out);
  return out;
}

TEST(Naming, EventNamesBecomeEventTypes) {
  EXPECT_EQ(Normalized("Order Completed"), "order_completed");
  EXPECT_EQ(Normalized("  Order -- Completed!  "), "order_completed");
  EXPECT_EQ(Normalized("checkout_step_2"), "checkout_step_2");
  EXPECT_EQ(Normalized("_private"), "private");  // names starting with '_' are tracklake's
  EXPECT_EQ(Normalized("Größe gewählt"), "gr_e_gew_hlt");
  EXPECT_EQ(Normalized("!!!"), "<none>");
  EXPECT_EQ(Normalized(""), "<none>");
  EXPECT_EQ(Normalized("Abc Def", 4), "abc");  // cut, then no trailing '_'
  EXPECT_EQ(Normalized(std::string(100, 'a')).size(), 64u);
}

TEST(Naming, KeySegmentsKeepOnlyKeyCharacters) {
  EXPECT_EQ(Segment("revenue"), "revenue");
  EXPECT_EQ(Segment("Order Total"), "Order_Total");
  EXPECT_EQ(Segment("a.b"), "a_b");  // '.' separates levels
  EXPECT_EQ(Segment("größe"), "gr__e");  // one '_' per UTF-8 character
  EXPECT_EQ(Segment(""), "_");
  EXPECT_EQ(Segment("utm-source_2"), "utm-source_2");
}

TEST(EventTime, SkewCorrection) {
  // The client's clock is 10 minutes fast: it says it sent at 12:10 an event of 12:05; the
  // server received it at 12:00:01, so the event happened at 11:55:01.
  const int64_t minute = 60'000;
  EXPECT_EQ(SkewCorrectedTime(1000 * minute + 1000, 1010 * minute, 1005 * minute), 995 * minute + 1000);
  EXPECT_EQ(SkewCorrectedTime(1000, std::nullopt, 500), 500);  // nothing to correct with
  EXPECT_EQ(SkewCorrectedTime(0, kMaxEventTimeMs, kMinEventTimeMs), std::nullopt);
  EXPECT_EQ(SkewCorrectedTime(0, std::nullopt, kMaxEventTimeMs + 1), std::nullopt);
}

TEST(EventTime, EpochMillis) {
  EXPECT_EQ(ParseEpochMillis("1700000000123"), 1'700'000'000'123);
  EXPECT_EQ(ParseEpochMillis(""), std::nullopt);
  EXPECT_EQ(ParseEpochMillis("-1"), std::nullopt);
  EXPECT_EQ(ParseEpochMillis("12a"), std::nullopt);
  EXPECT_EQ(ParseEpochMillis("99999999999999999"), std::nullopt);  // 17 digits
}

TEST(Base64, BothAlphabetsPaddedOrNot) {
  std::string out;
  ASSERT_TRUE(DecodeBase64Any("eyJhIjoiYj8_In0", out));  // URL-safe, unpadded: {"a":"b??"}
  EXPECT_EQ(out, "{\"a\":\"b??\"}");
  out.clear();
  ASSERT_TRUE(DecodeBase64Any("eyJhIjoiYj8/In0=", out));  // standard, padded
  EXPECT_EQ(out, "{\"a\":\"b??\"}");
  out.clear();
  EXPECT_TRUE(DecodeBase64Any("", out));
  EXPECT_FALSE(DecodeBase64Any("abcde", out));  // a length no encoder makes
  EXPECT_FALSE(DecodeBase64Any("ab$d", out));
  EXPECT_FALSE(DecodeBase64Any("ab=d", out));
}

TEST(QueryString, DecodesPercentAndPlus) {
  QueryParams q;
  q.Parse("e=pv&url=https%3A%2F%2Fa.com%2F%3Fx%3D1&page=Hello+World&bad=%zz&empty=&flag&e=se");
  EXPECT_EQ(q.Get("e"), "pv");  // the first of repeated names
  EXPECT_EQ(q.Get("url"), "https://a.com/?x=1");
  EXPECT_EQ(q.Get("page"), "Hello World");
  EXPECT_EQ(q.Get("bad"), "%zz");
  EXPECT_EQ(q.Get("empty"), "");
  EXPECT_EQ(q.items().size(), 7u);
  q.Parse("a=1&b=2&c=3", 2);
  EXPECT_EQ(q.items().size(), 2u);
  EXPECT_EQ(QueryOf("/i?e=pv"), "e=pv");
  EXPECT_EQ(QueryOf("/i"), "");
}

class FlattenTest : public ::testing::Test {
 protected:
  // Flattens the JSON text under key and returns "k=v" lines.
  std::string Flat(std::string_view json, std::string key = "p", FlattenLimits limits = {}) {
    // Inside an object, as adapters meet values (a scalar document is no ondemand value).
    wrapped_ = "{\"p\": " + std::string(json) + "}";
    simdjson::ondemand::document doc;
    EXPECT_EQ(ParseNested(wrapped_, doc), simdjson::SUCCESS);
    simdjson::ondemand::value v;
    EXPECT_EQ(doc.find_field("p").get(v), simdjson::SUCCESS);
    event_.Clear(limits);
    EXPECT_EQ(event_.Flatten(v, key), simdjson::SUCCESS);
    EXPECT_EQ(key, "p");  // restored
    std::string out;
    for (const Field& f : event_.fields()) out += std::string(f.key) + "=" + std::string(f.value) + "\n";
    return out;
  }
  FlatEvent event_;
  std::string wrapped_;
};

TEST_F(FlattenTest, ScalarsObjectsArraysAndNull) {
  EXPECT_EQ(Flat(R"({"revenue": 12.50, "ok": true, "no": false, "gone": null, "n": -1e3,
                     "page": {"url": "u", "Search Term": "x\"y"}, "items": [1, {"a": 2}]})"),
            "p.revenue=12.50\np.ok=true\np.no=false\np.n=-1e3\np.page.url=u\np.page.Search_Term=x\"y\n"
            "p.items=[1, {\"a\": 2}]\n");
  EXPECT_EQ(Flat(R"("just a string")"), "p=just a string\n");
  EXPECT_EQ(Flat("123456789012345678901234567890"), "p=123456789012345678901234567890\n");  // as sent
}

TEST_F(FlattenTest, DepthIsBoundedAndTheRestKeptAsJsonText) {
  FlattenLimits limits;
  limits.max_depth = 2;
  EXPECT_EQ(Flat(R"({"a": {"b": {"c": 1}}})", "p", limits), "p.a.b={\"c\": 1}\n");
}

TEST_F(FlattenTest, FieldsAndKeyLengthAreBounded) {
  FlattenLimits limits;
  limits.max_fields = 2;
  // One field past the limit is kept (the validator names the rule), then nothing more.
  EXPECT_EQ(Flat(R"({"a": 1, "b": 2, "c": 3, "d": 4})", "p", limits), "p.a=1\np.b=2\np.c=3\n");
  EXPECT_TRUE(event_.full());
  limits = {};
  limits.max_key_bytes = 8;
  EXPECT_EQ(Flat(R"({"abcdefgh": {"x": 1}, "z": 2})", "p", limits), "p.abcdefgh={\"x\": 1}\n");
}

TEST_F(FlattenTest, MalformedJsonIsAnError) {
  simdjson::ondemand::document doc;
  ASSERT_EQ(ParseNested(R"({"a": [1, }})", doc), simdjson::SUCCESS);  // stage 1 is lazy here
  simdjson::ondemand::value v;
  std::string key = "p";
  event_.Clear({});
  if (doc.get_value().get(v) == simdjson::SUCCESS) {
    EXPECT_NE(event_.Flatten(v, key), simdjson::SUCCESS);
  }
}

}  // namespace
}  // namespace tracklake
