// RenderConfig and DescribeOptions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/option_table.h"
#include "config/test_util.h"

namespace tracklake {
namespace {

using config_test::Hex;
using config_test::Sha256;
using ::testing::HasSubstr;
using ::testing::Not;

// A configuration far from the defaults, with every kind of value.
Config SampleConfig() {
  Config config;
  config.node.id = "eu-1";
  config.server.listen = "[::1]:9000";
  config.server.threads = 3;
  config.server.max_body_bytes = 1500;  // not a whole KiB: rendered in bytes
  config.validation.coerce_scalars = true;
  config.wal.dir = "/data/wal \"quoted\"";
  config.wal.durability = Durability::kWrite;
  config.flush.max_age_s = 42;
  config.lake.format = LakeFormat::kParquet;
  AppConfig shop;
  shop.app_id = "shop";
  shop.key_sha256 = Sha256("shop-key");
  shop.event_types = {"page_view", "purchase"};
  shop.browser_keys = {"pk_shop_0123456789abcdef"};
  shop.allowed_origins = {"https://shop.example.com", "http://127.0.0.1:8000"};
  shop.browser_event_types = {"page_view"};
  shop.snowplow_app_ids = {"shop-web"};
  config.auth.apps.push_back(shop);
  AppConfig mobile;
  mobile.app_id = "mobile.app";
  mobile.key_sha256 = Sha256("mobile-key");
  config.auth.apps.push_back(mobile);
  config.event_type_columns["page_view"] = {"url", "utm.source"};
  return config;
}

TEST(RenderConfig, MasksKeyDigests) {
  const Config config = SampleConfig();
  const std::string text = RenderConfig(config);
  EXPECT_THAT(text, HasSubstr("[apps.shop]\nkey_sha256 = \"***\"\n"));
  EXPECT_THAT(text, Not(HasSubstr(Hex(config.auth.apps[0].key_sha256))));
  EXPECT_THAT(text, Not(HasSubstr("shop-key")));
  EXPECT_THAT(text, HasSubstr("browser_keys = [\"***\"]\n"));
  EXPECT_THAT(text, Not(HasSubstr("pk_shop_0123456789abcdef")));
}

TEST(RenderConfig, WithDigestsLoadsBackIntoAnEqualConfig) {
  const Config config = SampleConfig();
  const std::string text = RenderConfig(config, SecretRendering::kDigests);
  EXPECT_THAT(text, HasSubstr(Hex(config.auth.apps[0].key_sha256)));
  Result<Config> loaded = LoadConfig(config_test::WriteTempFile(text), {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message() << "\n" << text;
  config_test::ExpectSameConfig(*loaded, config);
}

TEST(RenderConfig, MaskedOutputLoadsBackWhenThereAreNoApps) {
  Config config = SampleConfig();
  config.auth.apps.clear();
  config.auth.mode = AuthMode::kNone;
  Result<Config> loaded = LoadConfig(config_test::WriteTempFile(RenderConfig(config)), {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  config_test::ExpectSameConfig(*loaded, config);
}

TEST(RenderConfig, MaskedOutputWithAppsIsRejectedAsMasked) {
  Result<Config> loaded = LoadConfig(config_test::WriteTempFile(RenderConfig(SampleConfig())), {});
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("is masked"));
}

TEST(RenderConfig, WritesByteSizesWithUnitsAndQuotesDottedAppIds) {
  const std::string text = RenderConfig(SampleConfig());
  EXPECT_THAT(text, HasSubstr("segment_bytes = \"64MiB\"\n"));
  EXPECT_THAT(text, HasSubstr("max_body_bytes = \"1500B\"\n"));
  EXPECT_THAT(text, HasSubstr("[apps.\"mobile.app\"]\n"));
  EXPECT_THAT(text, HasSubstr("[event_types.page_view]\ncolumns = [\"url\", \"utm.source\"]\n"));
}

TEST(DescribeOptions, TextListsEveryOptionWithItsEnvVariable) {
  const std::string text = DescribeOptions(false);
  EXPECT_THAT(text, HasSubstr("flush.max_age"));
  EXPECT_THAT(text, HasSubstr("TRACKLAKE_FLUSH_MAX_AGE"));
  EXPECT_THAT(text, HasSubstr("apps.<app_id>.key_sha256"));
  EXPECT_THAT(text, HasSubstr("(file only)"));
  EXPECT_THAT(text, Not(HasSubstr("|")));
}

TEST(DescribeOptions, MarkdownIsATableWithOneRowPerOption) {
  const std::string md = DescribeOptions(true);
  EXPECT_THAT(md, HasSubstr("| key | type | default | bounds / allowed | env variable | "
                            "description |\n"));
  EXPECT_THAT(md, HasSubstr("| `flush.max_age` | seconds | `300` | `1..3600 (the freshness "
                            "promise is one hour)` | `TRACKLAKE_FLUSH_MAX_AGE` |"));
  EXPECT_THAT(md, HasSubstr("| `wal.durability` | enum | `\"fsync\"` | `\"fsync\", \"write\"` |"));
  EXPECT_THAT(md, HasSubstr("| `node.id` | string | the host name |"));
  size_t rows = 0;
  for (char c : md) rows += c == '\n';
  EXPECT_EQ(rows, 2u + config_internal::AllOptions().size());  // header, separator, options
}

TEST(DescribeOptions, DefaultsAreReadFromTheConfigStruct) {
  const Config defaults;
  EXPECT_THAT(DescribeOptions(true), HasSubstr("| `wal.segment_bytes` | bytes | `\"" +
                                               std::to_string(defaults.wal.segment_bytes >> 20) + "MiB\"` |"));
  EXPECT_THAT(DescribeOptions(true), HasSubstr("| `server.listen` | string | `\"" + defaults.server.listen + "\"` |"));
}

}  // namespace
}  // namespace tracklake
