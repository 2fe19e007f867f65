// [apps.<app_id>] and [event_types.<name>] tables.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/test_util.h"

namespace tracklake {
namespace {

using config_test::Hex;
using config_test::LoadToml;
using config_test::Sha256;
using ::testing::HasSubstr;
using ::testing::Not;

// SHA-256("abc"), FIPS 180-2 test vector.
constexpr std::string_view kAbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::string ErrorOf(std::string_view toml) {
  Result<Config> config = LoadToml(toml);
  EXPECT_FALSE(config.ok()) << toml;
  return config.status().message();
}

TEST(AppsConfig, PlainKeyIsKeptOnlyAsItsSha256) {
  Result<Config> config = LoadToml("[apps.shop]\nkey = \"abc\"\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->auth.apps.size(), 1u);
  EXPECT_EQ(config->auth.apps[0].app_id, "shop");
  EXPECT_EQ(config->auth.apps[0].key_sha256.size(), 32u);
  EXPECT_EQ(Hex(config->auth.apps[0].key_sha256), kAbcSha256);
  EXPECT_TRUE(config->auth.apps[0].event_types.empty());
}

TEST(AppsConfig, HexDigestInEitherCaseGivesTheSameRawDigest) {
  std::string upper(kAbcSha256);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  Result<Config> config = LoadToml("[apps.shop]\nkey_sha256 = \"" + upper + "\"\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->auth.apps[0].key_sha256, Sha256("abc"));
}

TEST(AppsConfig, EventTypeRestrictionIsParsed) {
  Result<Config> config = LoadToml("[apps.shop]\nkey = \"k\"\nevent_types = [\"page_view\", \"purchase\"]\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->auth.apps[0].event_types, (std::vector<std::string>{"page_view", "purchase"}));
}

TEST(AppsConfig, SeveralAppsAreAllKept) {
  Result<Config> config = LoadToml("[apps.a]\nkey = \"k1\"\n[apps.\"b.web\"]\nkey = \"k2\"\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->auth.apps.size(), 2u);
  EXPECT_EQ(config->auth.apps[0].app_id, "a");
  EXPECT_EQ(config->auth.apps[1].app_id, "b.web");
}

TEST(AppsConfig, KeyAndKeySha256TogetherAreAnError) {
  const std::string both = "[apps.shop]\nkey = \"abc\"\nkey_sha256 = \"" + std::string(kAbcSha256) + "\"\n";
  EXPECT_THAT(ErrorOf(both), HasSubstr("apps.shop: give exactly one of key and key_sha256 (it has both)"));
}

TEST(AppsConfig, AppWithoutAKeyIsAnError) {
  EXPECT_THAT(ErrorOf("[apps.shop]\nevent_types = [\"a\"]\n"),
              HasSubstr("apps.shop: give exactly one of key and key_sha256 (it has neither)"));
}

TEST(AppsConfig, TwoAppsWithTheSameKeyAreAnErrorEvenWhenOneGivesTheDigest) {
  const std::string error = ErrorOf("[apps.one]\nkey = \"abc\"\n[apps.two]\nkey_sha256 = \"" +
                                    std::string(kAbcSha256) + "\"\n");
  EXPECT_THAT(error, HasSubstr("apps.one and apps.two have the same write key"));
}

TEST(AppsConfig, ModeKeysWithoutAppsExplainsBothWaysOut) {
  const std::string error = ErrorOf("[auth]\nmode = \"keys\"\n");
  EXPECT_THAT(error, HasSubstr("no app is configured"));
  EXPECT_THAT(error, HasSubstr("[apps.my_app]"));
  EXPECT_THAT(error, HasSubstr("auth.mode = \"none\""));
}

TEST(AppsConfig, ModeNoneNeedsNoApps) {
  Result<Config> config = LoadToml("[auth]\nmode = \"none\"\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->auth.mode, AuthMode::kNone);
}

TEST(AppsConfig, BadAppIdIsRejected) {
  EXPECT_THAT(ErrorOf("[apps.\"shop/web\"]\nkey = \"k\"\n"),
              HasSubstr("apps.\"shop/web\": app id must match [A-Za-z0-9_.-]{1,64}"));
}

TEST(AppsConfig, UnknownAppKeyIsNamed) {
  EXPECT_THAT(ErrorOf("[apps.shop]\nkey = \"k\"\nkey_sha265 = \"x\"\n"),
              HasSubstr("unknown key 'apps.shop.key_sha265' (did you mean 'key_sha256'?)"));
}

TEST(AppsConfig, BadDigestIsRejectedWithoutEchoingTheValue) {
  const std::string error = ErrorOf("[apps.shop]\nkey_sha256 = \"my-real-secret\"\n");
  EXPECT_THAT(error, HasSubstr("apps.shop.key_sha256 = (secret): must be 64 hex digits"));
  EXPECT_THAT(error, Not(HasSubstr("my-real-secret")));
  EXPECT_THAT(error, Not(HasSubstr("no app is configured")));  // the app exists, its key is bad
}

TEST(AppsConfig, MaskedDigestFromRenderConfigIsExplained) {
  EXPECT_THAT(ErrorOf("[apps.shop]\nkey_sha256 = \"***\"\n"), HasSubstr("is masked"));
}

TEST(AppsConfig, EmptyKeyIsRejected) {
  EXPECT_THAT(ErrorOf("[apps.shop]\nkey = \"\"\n"), HasSubstr("apps.shop.key = (secret): must not be empty"));
}

TEST(AppsConfig, BadOrEmptyEventTypeListIsRejected) {
  EXPECT_THAT(ErrorOf("[apps.shop]\nkey = \"k\"\nevent_types = [\"PageView\"]\n"),
              HasSubstr("apps.shop.event_types = [\"PageView\"]: element \"PageView\" must "
                        "match [a-z0-9_]{1,64}"));
  EXPECT_THAT(ErrorOf("[apps.shop]\nkey = \"k\"\nevent_types = []\n"),
              HasSubstr("must list at least one event type (omit it to allow any)"));
  EXPECT_THAT(ErrorOf("[apps.shop]\nkey = \"k\"\nevent_types = \"page_view\"\n"),
              HasSubstr("must be a list of strings"));
}

TEST(EventTypesConfig, ColumnsAreParsedPerEventType) {
  Result<Config> config = LoadToml(std::string(config_test::kDemoApp) +
                                   "[event_types.page_view]\ncolumns = [\"url\", \"utm.source\"]\n"
                                   "[event_types.purchase]\ncolumns = [\"amount\"]\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->event_type_columns.at("page_view"), (std::vector<std::string>{"url", "utm.source"}));
  EXPECT_EQ(config->event_type_columns.at("purchase"), std::vector<std::string>{"amount"});
}

TEST(EventTypesConfig, BadColumnNameIsRejected) {
  EXPECT_THAT(ErrorOf(std::string(config_test::kDemoApp) + "[event_types.page_view]\ncolumns = [\"url\", \"1st\"]\n"),
              HasSubstr("event_types.page_view.columns = [\"url\", \"1st\"]: element \"1st\" "
                        "must match "
                        "[A-Za-z_][A-Za-z0-9_.-]{0,127}"));
}

TEST(EventTypesConfig, BadEventTypeNameIsRejected) {
  EXPECT_THAT(ErrorOf(std::string(config_test::kDemoApp) + "[event_types.PageView]\ncolumns = [\"url\"]\n"),
              HasSubstr("event_types.PageView: event type name must match [a-z0-9_]{1,64}"));
}

TEST(EventTypesConfig, DuplicateMissingOrUnknownKeysAreRejected) {
  const std::string app(config_test::kDemoApp);
  EXPECT_THAT(ErrorOf(app + "[event_types.page_view]\ncolumns = [\"url\", \"url\"]\n"),
              HasSubstr("event_types.page_view.columns lists \"url\" twice"));
  EXPECT_THAT(ErrorOf(app + "[event_types.page_view]\n"), HasSubstr("event_types.page_view: missing columns"));
  EXPECT_THAT(ErrorOf(app + "[event_types.page_view]\ncolumns = [\"url\"]\ncolumn = [\"a\"]\n"),
              HasSubstr("unknown key 'event_types.page_view.column'"));
}

}  // namespace
}  // namespace tracklake

namespace tracklake {

TEST(ConfigApps, BrowserAccess) {
  Result<Config> config = LoadToml(
      "[apps.shop]\nkey = \"k\"\nbrowser_keys = [\"pk_shop_0123456789abcdef\"]\n"
      "allowed_origins = [\"https://shop.example.com\", \"http://127.0.0.1:8000\", \"http://[::1]:80\"]\n"
      "snowplow_app_ids = [\"shop-web\"]\nbrowser_event_types = [\"page\"]\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  const AppConfig& app = config->auth.apps[0];
  EXPECT_EQ(app.browser_keys, (std::vector<std::string>{"pk_shop_0123456789abcdef"}));
  EXPECT_EQ(app.allowed_origins.size(), 3u);
  EXPECT_EQ(app.snowplow_app_ids, (std::vector<std::string>{"shop-web"}));
  EXPECT_EQ(app.browser_event_types, (std::vector<std::string>{"page"}));
}

TEST(ConfigApps, BrowserAccessMistakes) {
  const std::string key = "[apps.shop]\nkey = \"k\"\n";
  EXPECT_THAT(ErrorOf(key + "browser_keys = [\"pk_shop_0123456789abcdef\"]\n"), HasSubstr("need allowed_origins"));
  EXPECT_THAT(ErrorOf(key + "allowed_origins = [\"https://shop.example.com/\"]\n"), HasSubstr("must be an origin"));
  EXPECT_THAT(ErrorOf(key + "allowed_origins = [\"https://Shop.example.com\"]\n"), HasSubstr("must be an origin"));
  EXPECT_THAT(ErrorOf(key + "allowed_origins = [\"shop.example.com\"]\n"), HasSubstr("must be an origin"));
  EXPECT_THAT(ErrorOf(key + "allowed_origins = [\"https://a.com:99999999\"]\n"), HasSubstr("must be an origin"));
  EXPECT_THAT(ErrorOf(key + "allowed_origins = [\"https://a.com\"]\nbrowser_keys = [\"short\"]\n"),
              HasSubstr("at least 16"));
  EXPECT_THAT(ErrorOf(key + "allowed_origins = [\"https://a.com\"]\nbrowser_keys = [\"***\"]\n"), HasSubstr("masked"));
  EXPECT_THAT(ErrorOf(key + "event_types = [\"a\"]\nbrowser_event_types = [\"b\"]\n"),
              HasSubstr("which event_types does not allow"));
  EXPECT_THAT(ErrorOf("[apps.a]\nkey = \"k1\"\nallowed_origins = [\"https://a.com\"]\nsnowplow_app_ids = [\"x\"]\n"
                      "[apps.b]\nkey = \"k2\"\nallowed_origins = [\"https://b.com\"]\nsnowplow_app_ids = [\"x\"]\n"),
              HasSubstr("is also listed by apps.a"));
  EXPECT_THAT(ErrorOf("[apps.a]\nkey = \"pk_shared_0123456789\"\n"
                      "[apps.b]\nkey = \"k2\"\nallowed_origins = [\"https://b.com\"]\n"
                      "browser_keys = [\"pk_shared_0123456789\"]\n"),
              HasSubstr("also a server key"));
}

}  // namespace tracklake
