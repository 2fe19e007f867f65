#include "cli/loadgen_events.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>

namespace tracklake {
namespace {

struct Parsed {
  std::map<std::string, std::string> fields;
  bool ok = false;
};

// Parses a flat object of strings; ok is false when the text is not one (or has duplicate keys).
Parsed ParseFlat(const std::string& text) {
  Parsed out;
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return out;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return out;
  for (auto field : obj) {
    std::string_view key;
    std::string_view value;
    if (field.unescaped_key().get(key) || field.value().get_string().get(value)) return out;
    if (!out.fields.emplace(std::string(key), std::string(value)).second) return out;
  }
  out.ok = true;
  return out;
}

TEST(EventGeneratorTest, EventsAreFlatStringObjectsWithTheCommonFields) {
  EventGenerator gen({});
  for (int i = 0; i < 500; ++i) {
    const std::string e = gen.Next();
    const Parsed p = ParseFlat(e);
    ASSERT_TRUE(p.ok) << e;
    for (const char* key : {"event_type", "event_time", "user_id", "anonymous_id", "session_id", "url"}) {
      EXPECT_TRUE(p.fields.count(key)) << key << " missing in " << e;
    }
  }
}

TEST(EventGeneratorTest, SizesStayWithinTheRequestedRangeAndSpreadOverIt) {
  EventGenerator gen({});
  size_t small = 0, large = 0;
  for (int i = 0; i < 2000; ++i) {
    const size_t n = gen.Next().size();
    EXPECT_LE(n, EventGeneratorOptions::kDefaultMaxBytes);
    // The mandatory fields alone take a little over 512 bytes: allow that much above the minimum.
    EXPECT_GE(n, 400u);
    if (n < 1024) ++small;
    if (n > 2048) ++large;
  }
  // Log-uniform over [512, 4096]: a third below 1 KiB, a third above 2 KiB.
  EXPECT_GT(small, 400u);
  EXPECT_GT(large, 400u);
}

TEST(EventGeneratorTest, FixedSizeEventsAreExactlyThatLong) {
  EventGeneratorOptions o;
  o.event_bytes = 4096;
  EventGenerator gen(o);
  for (int i = 0; i < 200; ++i) {
    const std::string e = gen.Next();
    EXPECT_EQ(e.size(), 4096u);
    EXPECT_TRUE(ParseFlat(e).ok);
  }
}

TEST(EventGeneratorTest, CustomFieldCountFollowsTheTypeSchema) {
  EventGeneratorOptions o;
  o.event_bytes = 4096;  // room for every custom field of the schema
  EventGenerator gen(o);
  constexpr size_t kCommon = 11 + 1 + 1;  // common fields, user_agent, the padding field
  std::map<std::string, std::set<size_t>> counts;
  for (int i = 0; i < 1000; ++i) {
    const Parsed p = ParseFlat(gen.Next());
    ASSERT_TRUE(p.ok);
    const size_t custom = p.fields.size() - kCommon;
    EXPECT_GE(custom, static_cast<size_t>(EventGenerator::kMinCustomFields));
    EXPECT_LE(custom, static_cast<size_t>(EventGenerator::kMaxCustomFields));
    counts[p.fields.at("event_type")].insert(custom);
  }
  for (const auto& [type, n] : counts) EXPECT_EQ(n.size(), 1u) << type << " has a varying schema";
}

TEST(EventGeneratorTest, CardinalitiesAreRealistic) {
  EventGeneratorOptions o;
  o.event_types = 20;
  EventGenerator gen(o);
  std::map<std::string, int> types;
  std::set<std::string> users, sessions;
  constexpr int kEvents = 20000;
  for (int i = 0; i < kEvents; ++i) {
    const Parsed p = ParseFlat(gen.Next());
    ASSERT_TRUE(p.ok);
    ++types[p.fields.at("event_type")];
    users.insert(p.fields.at("user_id"));
    sessions.insert(p.fields.at("session_id"));
  }
  EXPECT_EQ(types.size(), 20u);
  EXPECT_EQ(gen.event_types().size(), 20u);
  // Skewed mix: the first type is the most frequent.
  for (const auto& [type, n] : types) EXPECT_LE(n, types.at("page_view")) << type;
  EXPECT_GT(users.size(), 2000u);
  EXPECT_LE(users.size(), 5000u);
  EXPECT_GT(sessions.size(), users.size());
}

TEST(EventGeneratorTest, SameSeedGivesTheSameEvents) {
  EventGenerator a({}), b({});
  for (int i = 0; i < 50; ++i) EXPECT_EQ(a.Next(), b.Next());
}

}  // namespace
}  // namespace tracklake
