#include "encode/parquet/string_dictionary.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>

namespace tracklake::parquet {
namespace {

uint32_t Intern(StringDictionary& d, std::string_view v) {
  const uint32_t found = d.Find(v);
  return found != StringDictionary::kNotFound ? found : d.InsertMissing(v);
}

TEST(StringDictionary, AssignsDenseIndicesInFirstSeenOrder) {
  StringDictionary d;
  EXPECT_EQ(Intern(d, "b"), 0u);
  EXPECT_EQ(Intern(d, "a"), 1u);
  EXPECT_EQ(Intern(d, "b"), 0u);
  EXPECT_EQ(Intern(d, ""), 2u);
  EXPECT_EQ(Intern(d, ""), 2u);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.at(0), "b");
  EXPECT_EQ(d.at(1), "a");
  EXPECT_EQ(d.at(2), "");
  EXPECT_EQ(d.plain_values(), std::string("\x01\0\0\0b\x01\0\0\0a\0\0\0\0", 14));
}

TEST(StringDictionary, DistinguishesPrefixesEmbeddedNulsAndTails) {
  StringDictionary d;
  const std::string values[] = {"abcdefgh",           "abcdefghi", "abcdefgh\0", std::string("abcdefgh\0", 9),
                                std::string("\0", 1), "abcdefgX",  "x"};
  std::unordered_map<std::string, uint32_t> expected;
  for (const std::string& v : values) expected.emplace(v, static_cast<uint32_t>(expected.size()));
  for (int round = 0; round < 2; ++round) {
    for (const std::string& v : values) EXPECT_EQ(Intern(d, v), expected.at(v)) << round;
  }
  EXPECT_EQ(d.size(), expected.size());
}

TEST(StringDictionary, KeepsEveryEntryAcrossGrowthAndMatchesAReferenceMap) {
  StringDictionary d;
  std::unordered_map<std::string, uint32_t> reference;
  // Far more entries than the initial table, with values of every length around the 8-byte word.
  for (uint32_t i = 0; i < 50'000; ++i) {
    const std::string v = std::string(i % 23, 'k') + std::to_string(i % 30'011);
    auto [it, inserted] = reference.emplace(v, static_cast<uint32_t>(reference.size()));
    ASSERT_EQ(Intern(d, v), it->second) << v;
  }
  ASSERT_EQ(d.size(), reference.size());
  for (const auto& [v, index] : reference) {
    EXPECT_EQ(d.Find(v), index);
    EXPECT_EQ(d.at(index), v);
  }
}

TEST(StringDictionary, ClearForgetsValuesAndStartsAgainAtZero) {
  StringDictionary d;
  for (int i = 0; i < 5000; ++i) Intern(d, "v" + std::to_string(i));
  d.Clear();
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.plain_values(), "");
  EXPECT_EQ(d.Find("v1"), StringDictionary::kNotFound);
  EXPECT_EQ(Intern(d, "v4999"), 0u);
  EXPECT_EQ(Intern(d, "new"), 1u);
}

TEST(StringDictionary, HashDependsOnEveryByteAndTheLength) {
  EXPECT_NE(HashBytes("abc"), HashBytes("abd"));
  EXPECT_NE(HashBytes(std::string_view("a\0", 2)), HashBytes("a"));
  EXPECT_NE(HashBytes("0123456789abcdef"), HashBytes("0123456789abcdeF"));
  EXPECT_EQ(HashBytes("same value"), HashBytes(std::string("same value")));
  // Every length through the 16-byte lanes, the 8-byte words and each tail size (1-3, 4-7,
  // overlapping 8): flipping any one byte changes the hash.
  for (size_t len = 1; len <= 40; ++len) {
    const std::string base(len, 'x');
    for (size_t pos = 0; pos < len; ++pos) {
      std::string changed = base;
      changed[pos] = 'y';
      EXPECT_NE(HashBytes(base), HashBytes(changed)) << "length " << len << " byte " << pos;
    }
  }
}

}  // namespace
}  // namespace tracklake::parquet
