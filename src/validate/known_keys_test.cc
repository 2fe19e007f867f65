// The key-sequence cache (known_keys.h) must never change a verdict: the same events validated
// after others (cache warm, one thread) and each on a fresh thread (cache cold) give the same
// records and the same rejections.
#include "validate/known_keys.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "validate/validate_test_util.h"

namespace tracklake {
namespace {

struct Verdict {
  bool ok = false;
  uint32_t accepted = 0;
  std::vector<std::string> rejections;  // "index field error"
  std::string records;                  // decoded, generated event ids blanked (they are random)

  bool operator==(const Verdict&) const = default;
};

Verdict Check(const Validator& v, const std::string& body) {
  Verdict out;
  ValidatedBody parsed;
  const RequestInfo info{kTestAppId, kTestReceivedAtMs, nullptr};
  out.ok = v.Parse(body, BodyFormat::kJson, info, parsed).ok();
  out.accepted = parsed.accepted;
  for (const Rejection& r : parsed.rejected) {
    out.rejections.push_back(std::to_string(r.index) + " " + r.field + " " + r.error);
  }
  for (const RecordSpan& span : parsed.spans) {
    EventView e;
    if (!DecodeEventRecord(std::string_view(parsed.records).substr(span.offset, span.size), e).ok()) {
      out.records += "<corrupt>";
      continue;
    }
    for (size_t i = 0; i < e.fields.size(); ++i) {
      const bool generated_id = e.kind == RecordKind::kEvent && i == 1 && e.fields[i].value.size() == 36;
      out.records += std::string(e.fields[i].key) + "=" + (generated_id ? "*" : std::string(e.fields[i].value)) + ";";
    }
    out.records += "\n";
  }
  return out;
}

// Each body on a thread of its own: its thread-local cache starts empty.
Verdict CheckCold(const Validator& v, const std::string& body) {
  Verdict out;
  std::thread([&] { out = Check(v, body); }).join();
  return out;
}

void ExpectSameVerdictsWarmAndCold(const ValidationRules& rules, const std::vector<std::string>& bodies) {
  const Validator v(rules);
  for (const std::string& body : bodies) {
    const Verdict warm = Check(v, body);
    const Verdict cold = CheckCold(v, body);
    EXPECT_EQ(warm, cold) << body << "\nwarm: " << (warm.rejections.empty() ? "" : warm.rejections[0])
                          << "\ncold: " << (cold.rejections.empty() ? "" : cold.rejections[0]);
  }
}

TEST(KnownKeysTest, EventsLeavingAKnownSequenceAreCheckedInFull) {
  ExpectSameVerdictsWarmAndCold(
      ValidationRules{}, {
                             R"({"event_type":"x","a":"1","b":"2"})",
                             R"({"event_type":"x","a":"1","a":"2"})",  // duplicate right where the sequence ends
                             R"({"event_type":"x","a":"1","b":"2","a":"3"})",  // duplicate after the whole sequence
                             R"({"event_type":"x","b":"1","a":"2"})",          // same keys, other order
                             R"({"event_type":"x","a":"1","b":"2","received_at":"3"})",
                             R"({"event_type":"x","a":"1","bad key":"2"})",
                             R"({"event_type":"x","a":"1"})",  // a prefix of the sequence
                             R"({"event_type":"x","a":"1","b":"2","event_type":"y"})",
                             R"({"a":"1","event_type":"x","b":"2"})",  // event_type not first
                             R"({"a":"1","event_type":"x","a":"2"})",
                         });
}

TEST(KnownKeysTest, SwitchingBetweenEventTypesKeepsEachTypesRules) {
  ExpectSameVerdictsWarmAndCold(ValidationRules{}, {
                                                       R"({"event_type":"x","p":"1","q":"2"})",
                                                       R"({"event_type":"y","r":"1"})",
                                                       R"({"event_type":"x","p":"1","p":"2"})",
                                                       R"({"event_type":"y","r":"1","r":"2"})",
                                                       R"({"event_type":"x","p":"1","q":"2"})",
                                                       R"({"event_type":"y","p":"1","q":"2"})",  // y with x's keys
                                                       R"({"event_type":"y","r":"1","q":"2","q":"3"})",
                                                   });
}

TEST(KnownKeysTest, AStricterKeyLimitOnTheSameThreadIsEnforced) {
  const std::string body = R"({"event_type":"x","abcdefghijk":"1"})";
  EXPECT_EQ(Check(Validator(ValidationRules{}), body).accepted, 1u);
  ValidationRules strict;
  strict.max_key_bytes = 10;  // event_type still fits
  const Verdict v = Check(Validator(strict), body);
  EXPECT_EQ(v.accepted, 0u);
  ASSERT_EQ(v.rejections.size(), 1u);
  EXPECT_EQ(v.rejections[0].substr(0, 13), "0 abcdefghij ");
}

// Random events over a small key pool (duplicates, reorders, a bad key, the reserved key, many
// event types so the cache evicts), in batches: warm and cold verdicts agree on every one.
TEST(KnownKeysTest, RandomEventsGetTheSameVerdictsWarmAndCold) {
  std::mt19937 rng(7);
  const std::vector<std::string> keys = {"a", "b", "c", "d", "e", "bad key", "received_at", "event_id"};
  std::vector<std::string> bodies;
  for (int b = 0; b < 150; ++b) {
    std::string body = "[";
    for (int e = 0; e < 8; ++e) {
      std::vector<std::string> fields;
      const std::string type = "t" + std::to_string(rng() % (KnownKeys::kMaxSequences + 8));
      fields.push_back(R"("event_type":")" + type + "\"");
      const int n = static_cast<int>(rng() % 6);
      for (int i = 0; i < n; ++i) {
        // Mostly the type's usual keys in order, sometimes anything from the pool.
        const std::string& k = rng() % 4 == 0 ? keys[rng() % keys.size()] : keys[i];
        fields.push_back("\"" + k + R"(":")" + std::to_string(i) + "\"");
      }
      if (rng() % 5 == 0) std::swap(fields[0], fields[fields.size() - 1]);
      std::string event = "{";
      for (const std::string& f : fields) event += (event.size() > 1 ? "," : "") + f;
      body += (body.size() > 1 ? "," : "") + event + "}";
    }
    bodies.push_back(body + "]");
  }
  ExpectSameVerdictsWarmAndCold(ValidationRules{}, bodies);
}

}  // namespace
}  // namespace tracklake
