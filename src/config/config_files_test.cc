// The files in the source tree that mirror this module: docs/config.md must hold exactly
// DescribeOptions(true), and the example configs must load.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config.h"
#include "config/option_table.h"
#include "config/test_util.h"

namespace tracklake {
namespace {

using ::testing::HasSubstr;

const std::string kSourceDir = TRACKLAKE_SOURCE_DIR;

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(kSourceDir + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << kSourceDir << "/" << relative;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigDocs, DocsConfigMdHoldsTheCurrentOptionTable) {
  const std::string doc = ReadSourceFile("docs/config.md");
  const std::string table = DescribeOptions(true);
  if (doc.find(table) == std::string::npos) {
    const std::string expected = config_test::WriteTempFile(table, ".md");
    ADD_FAILURE() << "docs/config.md is out of date with the option table: replace its table with " << expected
                  << " (the output of DescribeOptions(true))";
  }
}

TEST(ExampleConfigs, LocalTomlLoadsWithTheDevelopmentSettings) {
  Result<Config> config = LoadConfig(kSourceDir + "/config/local.toml", {});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->node.id, "local");
  EXPECT_EQ(config->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(config->wal.dir, "./data/wal");
  EXPECT_EQ(config->lake.dir, "./lake");
  EXPECT_EQ(config->flush.max_age_s, 60u);
  ASSERT_EQ(config->auth.apps.size(), 1u);
  EXPECT_EQ(config->auth.apps[0].app_id, "demo");
  EXPECT_EQ(config->auth.apps[0].key_sha256, config_test::Sha256("demo-write-key"));
}

TEST(ExampleConfigs, ExampleTomlLoads) {
  Result<Config> config = LoadConfig(kSourceDir + "/config/example.toml", {});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_FALSE(config->auth.apps.empty());
  EXPECT_FALSE(config->event_type_columns.empty());
}

TEST(ExampleConfigs, ExampleTomlMentionsEveryOption) {
  const std::string text = ReadSourceFile("config/example.toml");
  for (const auto& spec : config_internal::AllOptions()) {
    EXPECT_THAT(text, HasSubstr(std::string(spec.key) + " = ")) << config_internal::FullKey(spec);
  }
  for (std::string_view section : config_internal::AllSections()) {
    // Built with append: g++ 12 at -O3 reports a false -Wrestrict on "[" + std::string(...).
    std::string header = "[";
    header.append(section);
    EXPECT_THAT(text, HasSubstr(header)) << section;
  }
}

}  // namespace
}  // namespace tracklake
