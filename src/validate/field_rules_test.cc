// The text predicates, the duplicate-key set and base64 behind the validation rules.
#include "validate/field_rules.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "validate/dead_letter.h"
#include "validate/key_set.h"

namespace tracklake {
namespace {

TEST(FieldRules, JsonNumberGrammar) {
  for (const char* ok : {"0", "-0", "12", "-1.5", "1e9", "1E+9", "2.5e-3", "123456789012345678901234567890"}) {
    EXPECT_TRUE(IsJsonNumber(ok)) << ok;
  }
  for (const char* bad : {"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x1", "1.5.2", "NaN", "1 "}) {
    EXPECT_FALSE(IsJsonNumber(bad)) << bad;
  }
}

TEST(FieldRules, TruncateUtf8NeverSplitsASequence) {
  const std::string s =
      "ab\xc3\xa9"
      "c";  // "abéc"
  EXPECT_EQ(TruncateUtf8(s, 10), s);
  EXPECT_EQ(TruncateUtf8(s, 4), "ab\xc3\xa9");
  EXPECT_EQ(TruncateUtf8(s, 3), "ab");  // would cut é in half
  EXPECT_EQ(TruncateUtf8(s, 0), "");
}

TEST(FieldRules, TrimJsonWhitespaceOnly) {
  EXPECT_EQ(TrimJsonWhitespace(" \t\r\n{} \n"), "{}");
  EXPECT_EQ(TrimJsonWhitespace("\v{}"), "\v{}");  // not JSON whitespace
  EXPECT_EQ(TrimJsonWhitespace("   "), "");
}

TEST(KeySet, DetectsDuplicatesAndForgetsThemOnClear) {
  KeySet set;
  set.Clear(4);
  EXPECT_TRUE(set.Insert("a"));
  EXPECT_TRUE(set.Insert("b"));
  EXPECT_FALSE(set.Insert("a"));
  set.Clear(4);
  EXPECT_TRUE(set.Insert("a"));
}

TEST(KeySet, HoldsTheFullCapacityOfDistinctKeys) {
  KeySet set;
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%d", i);  // not "k" + to_string: trips GCC 12 -Wrestrict at -O3
    keys.emplace_back(key);
  }
  set.Clear(keys.size());
  for (const std::string& k : keys) EXPECT_TRUE(set.Insert(k)) << k;
  for (const std::string& k : keys) EXPECT_FALSE(set.Insert(k)) << k;
}

TEST(KeySet, ManyClearsDoNotResurrectOldKeys) {
  KeySet set;
  for (int round = 0; round < 10000; ++round) {
    set.Clear(2);
    ASSERT_TRUE(set.Insert("same"));
    ASSERT_FALSE(set.Insert("same"));
  }
}

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"},
                                                         {"\xff\xfe", "//4="}};
  for (const auto& [in, want] : vectors) {
    std::string out = "x";
    AppendBase64(out, in);
    EXPECT_EQ(out, "x" + want);
  }
}

TEST(ValidationMessages, DefaultRulesRenderTheDocumentedTexts) {
  const ValidationMessages m = MakeValidationMessages(ValidationRules{});
  EXPECT_EQ(m.event_too_large, "event is larger than 32768 bytes");
  EXPECT_EQ(m.too_many_fields, "too many fields (at most 256)");
  EXPECT_EQ(m.bad_key, "key must match [A-Za-z_][A-Za-z0-9_.-]{0,127}");
  EXPECT_EQ(m.bad_event_type, "must match [a-z0-9_]{1,64}");
  EXPECT_EQ(m.too_many_events, "request body has more than 10000 events");
}

}  // namespace
}  // namespace tracklake
