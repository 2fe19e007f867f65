#include "config/option_table.h"

#include <gtest/gtest.h>

#include <set>

#include "config/option_value.h"

namespace tracklake::config_internal {
namespace {

bool IsNumeric(OptionType type) {
  return type == OptionType::kInteger || type == OptionType::kBytes || type == OptionType::kSeconds;
}

TEST(OptionTable, EveryOptionHasADocAndAUniqueKey) {
  std::set<std::string> keys;
  for (const OptionSpec& spec : AllOptions()) {
    EXPECT_FALSE(spec.doc.empty()) << FullKey(spec);
    EXPECT_TRUE(keys.insert(FullKey(spec)).second) << "declared twice: " << FullKey(spec);
  }
}

TEST(OptionTable, FixedOptionsAreBoundAndRepeatedTablesAreNot) {
  for (const OptionSpec& spec : AllOptions()) {
    const bool fixed = spec.scope == OptionScope::kFixed;
    EXPECT_EQ(spec.bind.store != nullptr, fixed) << FullKey(spec);
    EXPECT_EQ(spec.bind.load != nullptr, fixed) << FullKey(spec);
  }
}

// The bounds must fit the Config member's type, or a value that passed the check would be
// truncated when stored (e.g. into a uint32_t).
TEST(OptionTable, EveryBoundSurvivesStoreAndLoadWithoutTruncation) {
  for (const OptionSpec& spec : AllOptions()) {
    if (!IsNumeric(spec.type) || spec.bind.store == nullptr) continue;
    EXPECT_LE(spec.min, spec.max) << FullKey(spec);
    for (int64_t bound : {spec.min, spec.max}) {
      Config config;
      spec.bind.store(config, bound);
      EXPECT_EQ(spec.bind.load(config), OptionValue(bound)) << FullKey(spec);
    }
  }
}

TEST(OptionTable, EveryEnumNameStoresAndLoadsBackAsItself) {
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.type != OptionType::kEnum) continue;
    ASSERT_GE(spec.allowed.size(), 2u) << FullKey(spec);
    for (std::string_view name : spec.allowed) {
      Config config;
      spec.bind.store(config, std::string(name));
      EXPECT_EQ(spec.bind.load(config), OptionValue(std::string(name))) << FullKey(spec);
    }
  }
}

TEST(OptionTable, ConfigStructDefaultsPassTheirOwnChecks) {
  const Config defaults;
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.bind.load == nullptr || !spec.default_text.empty()) continue;  // node.id: host name
    EXPECT_TRUE(CheckValue(spec, spec.bind.load(defaults)).ok()) << FullKey(spec);
  }
}

TEST(OptionTable, FindsFixedAndScopedOptions) {
  ASSERT_NE(FindFixedOption("flush", "max_age"), nullptr);
  EXPECT_EQ(FindFixedOption("flush", "max_age")->max, 3600);
  EXPECT_EQ(FindFixedOption("wal", "fsyncc"), nullptr);
  EXPECT_EQ(FindFixedOption("apps.<app_id>", "key"), nullptr);
  ASSERT_NE(FindScopedOption(OptionScope::kPerApp, "key"), nullptr);
  EXPECT_TRUE(FindScopedOption(OptionScope::kPerApp, "key")->secret);
  EXPECT_NE(FindScopedOption(OptionScope::kPerEventType, "columns"), nullptr);
}

TEST(OptionTable, EnvNamesAreUpperCaseSectionAndKeyAndNeverNonOptionNames) {
  EXPECT_EQ(EnvName(*FindFixedOption("flush", "max_age")), "TRACKLAKE_FLUSH_MAX_AGE");
  EXPECT_EQ(EnvName(*FindFixedOption("server", "listen")), "TRACKLAKE_SERVER_LISTEN");
  EXPECT_EQ(EnvName(*FindScopedOption(OptionScope::kPerApp, "key")), "");
  std::set<std::string> names;
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope != OptionScope::kFixed) continue;
    EXPECT_TRUE(names.insert(EnvName(spec)).second) << EnvName(spec);
  }
  for (std::string_view reserved : kNonOptionEnvVars) {
    EXPECT_EQ(names.count(std::string(reserved)), 0u) << reserved;
  }
}

TEST(OptionTable, SectionsAreListedOnceInDocumentationOrder) {
  const std::vector<std::string_view> expected = {"node", "server",   "auth",    "apps",  "validation",
                                                  "wal",  "flush",    "dedup",   "lake",  "sink",
                                                  "s3",   "firehose", "kinesis", "kafka", "event_types"};
  EXPECT_EQ(AllSections(), expected);
}

TEST(ClosestMatch, SuggestsOnlyNearCandidates) {
  const std::vector<std::string> keys = {"dir", "durability", "segment_bytes"};
  EXPECT_EQ(ClosestMatch("durabilty", keys), "durability");
  EXPECT_EQ(ClosestMatch("segment_byte", keys), "segment_bytes");
  EXPECT_EQ(ClosestMatch("fsyncc", keys), std::nullopt);
}

}  // namespace
}  // namespace tracklake::config_internal
