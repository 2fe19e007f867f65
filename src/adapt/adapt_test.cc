// The mapping rules every adapter shares: event names, key segments, skew correction, base64,
// query strings, flattening and its bounds.
#include <gtest/gtest.h>

#include "adapt/base64url.h"
#include "adapt/event_time.h"
#include "adapt/flat_event.h"
#include "adapt/name_table.h"
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
  EXPECT_EQ(Segment("a.b"), "a_b");      // '.' separates levels
  EXPECT_EQ(Segment("größe"), "gr__e");  // one '_' per UTF-8 character
  EXPECT_EQ(Segment(""), "_");
  EXPECT_EQ(Segment("utm-source_2"), "utm-source_2");
}

TEST(Naming, IsKeySegment) {
  EXPECT_TRUE(IsKeySegment("utm-source_2"));
  EXPECT_FALSE(IsKeySegment(""));
  EXPECT_FALSE(IsKeySegment("a.b"));
  EXPECT_FALSE(IsKeySegment("größe"));
  EXPECT_FALSE(IsKeySegment(std::string_view("a\0b", 3)));
}

TEST(NameTableTest, FindsExactlyTheNamesItHolds) {
  const NameTable<int> table({{"e", 1},
                              {"ip", 2},
                              {"timestamp", 3},
                              {"timestampX", 4},  // the same first eight bytes, longer
                              {"timestamq", 5},
                              {"originalTimestamp", 6},
                              {"", 7}});
  const std::pair<std::string_view, int> present[] = {{"e", 1},         {"ip", 2},
                                                      {"timestamp", 3}, {"timestampX", 4},
                                                      {"timestamq", 5}, {"originalTimestamp", 6},
                                                      {"", 7}};
  for (const auto& [name, value] : present) {
    const int* v = table.Find(name);
    ASSERT_NE(v, nullptr) << name;
    EXPECT_EQ(*v, value) << name;
  }
  for (std::string_view absent :
       {"E", "i", "ipp", "timestam", "timestampY", "originalTimestampZ", "originalTimestamP", "x", "properties"}) {
    EXPECT_EQ(table.Find(absent), nullptr) << absent;
  }
  EXPECT_EQ(table.Find(std::string_view("e\0", 2)), nullptr);  // a NUL is not padding
}

TEST(NameTableTest, EveryLengthAndEveryByteCounts) {
  // The key of a name is a few overlapping loads: each of its bytes must still tell it apart.
  const std::string base = "abcdefghijk";
  std::vector<std::string> names;
  for (size_t n = 1; n <= base.size(); ++n) names.push_back(base.substr(0, n));
  const NameTable<int> table({{"a", 1},
                              {"ab", 2},
                              {"abc", 3},
                              {"abcd", 4},
                              {"abcde", 5},
                              {"abcdef", 6},
                              {"abcdefg", 7},
                              {"abcdefgh", 8},
                              {"abcdefghi", 9},
                              {"abcdefghij", 10},
                              {"abcdefghijk", 11}});
  for (size_t n = 1; n <= names.size(); ++n) {
    const int* v = table.Find(names[n - 1]);
    ASSERT_NE(v, nullptr) << names[n - 1];
    EXPECT_EQ(*v, static_cast<int>(n));
    for (size_t i = 0; i < n; ++i) {  // one byte changed anywhere: absent
      std::string other = names[n - 1];
      other[i] = 'z';
      EXPECT_EQ(table.Find(other), nullptr) << other;
    }
  }
}

TEST(Naming, SameTextComparesEveryByteAtEveryLength) {
  for (size_t n = 0; n <= 80; ++n) {
    std::string a(n, 'x');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    EXPECT_TRUE(SameText(a, std::string(a))) << n;
    EXPECT_FALSE(SameText(a, a + "y")) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = '#';
      EXPECT_FALSE(SameText(a, b)) << n << " " << i;
    }
  }
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

TEST(TextArena, ViewsStayValidWhileMoreIsCopiedAndAfterClear) {
  TextArena arena;
  std::vector<std::string> texts;
  std::vector<std::string_view> views;
  for (int round = 0; round < 2; ++round) {  // the second reuses the blocks
    texts.clear();
    views.clear();
    for (int i = 0; i < 300; ++i) {
      // Sizes around and above a block, so blocks are skipped and added.
      texts.push_back(std::string(static_cast<size_t>(i * 37 % 5000), static_cast<char>('a' + i % 26)));
      views.push_back(arena.Copy(texts.back()));
    }
    for (size_t i = 0; i < texts.size(); ++i) ASSERT_EQ(views[i], texts[i]) << i;
    arena.Clear();
  }
}

TEST(FlatEventTest, ViewsTheGivenTextAndCopiesBuiltKeysAndKeptValues) {
  FlatEvent event;
  event.Clear({});
  std::string key = "a.b";
  std::string value = "v1";
  event.AddKeyCopy(key, value);  // the key is copied, the value viewed
  key = "zzz";
  EXPECT_EQ(event.fields()[0].key, "a.b");
  EXPECT_EQ(event.fields()[0].value.data(), value.data());
  event.Add("c", value);
  event.KeepValuesFrom(1);  // the value of field 1 now lives in the event
  value = "xx";
  EXPECT_EQ(event.fields()[0].value, "xx");
  EXPECT_EQ(event.fields()[1].value, "v1");
  EXPECT_TRUE(event.Has("c"));
  EXPECT_FALSE(event.Has("a"));
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
