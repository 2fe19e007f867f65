// TRACKLAKE_<SECTION>_<KEY> overrides.
#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/test_util.h"

namespace tracklake {
namespace {

using config_test::kDemoApp;
using config_test::LoadToml;
using ::testing::HasSubstr;

TEST(EnvOverrides, WinOverTheFile) {
  Result<Config> config = LoadToml(std::string(kDemoApp) +
                                       "[wal]\ndurability = \"fsync\"\n[flush]\nmax_age = 300\n"
                                       "[server]\nlisten = \"0.0.0.0:80\"\n",
                                   {{"TRACKLAKE_WAL_DURABILITY", "write"},
                                    {"TRACKLAKE_FLUSH_MAX_AGE", "60"},
                                    {"TRACKLAKE_SERVER_LISTEN", "127.0.0.1:9000"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->wal.durability, Durability::kWrite);
  EXPECT_EQ(config->flush.max_age_s, 60u);
  EXPECT_EQ(config->server.listen, "127.0.0.1:9000");
}

TEST(EnvOverrides, ApplyWithoutAFileAndParseBoolsAndByteSizes) {
  Result<Config> config = LoadConfig(std::nullopt, {{"TRACKLAKE_AUTH_MODE", "none"},
                                                    {"TRACKLAKE_VALIDATION_COERCE_SCALARS", "true"},
                                                    {"TRACKLAKE_WAL_SEGMENT_BYTES", "8MiB"},
                                                    {"TRACKLAKE_SERVER_HEADER_TIMEOUT", "3"},
                                                    {"TRACKLAKE_NODE_ID", "node-7"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->auth.mode, AuthMode::kNone);
  EXPECT_TRUE(config->validation.coerce_scalars);
  EXPECT_EQ(config->wal.segment_bytes, 8u << 20);
  EXPECT_EQ(config->server.header_timeout_s, 3u);
  EXPECT_EQ(config->node.id, "node-7");
}

TEST(EnvOverrides, BadValueNamesTheVariableTheKeyAndTheRule) {
  Result<Config> config = LoadToml(kDemoApp, {{"TRACKLAKE_FLUSH_MAX_AGE", "7200"}});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(),
              HasSubstr("environment TRACKLAKE_FLUSH_MAX_AGE: flush.max_age = 7200: must be "
                        "between "
                        "1 and 3600 seconds (the freshness promise is one hour)"));
  Result<Config> bad_bool = LoadToml(kDemoApp, {{"TRACKLAKE_VALIDATION_COERCE_SCALARS", "yes"}});
  ASSERT_FALSE(bad_bool.ok());
  EXPECT_THAT(bad_bool.status().message(), HasSubstr("must be true or false"));
}

TEST(EnvOverrides, UnknownTracklakeVariableIsAnErrorWithASuggestion) {
  Result<Config> config = LoadToml(kDemoApp, {{"TRACKLAKE_WAL_DURABILTY", "write"}});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("unknown environment variable TRACKLAKE_WAL_DURABILTY"));
  EXPECT_THAT(config.status().message(), HasSubstr("did you mean TRACKLAKE_WAL_DURABILITY?"));
}

TEST(EnvOverrides, AppsCannotBeSetFromTheEnvironment) {
  Result<Config> config = LoadToml(kDemoApp, {{"TRACKLAKE_APPS_DEMO_KEY", "x"}});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("unknown environment variable TRACKLAKE_APPS_DEMO_KEY"));
}

// TRACKLAKE_BIN is exported by the project's own Makefile and tests: the collector refused to
// start with it set. Names outside every section are not options, and only warned about.
TEST(EnvOverrides, VariablesOfNoSectionAreIgnoredWithAWarning) {
  Result<Config> config = LoadToml(kDemoApp, {{"TRACKLAKE_BIN", "/usr/bin/tracklake"},
                                              {"TRACKLAKE_OUTAGE_SECONDS", "20"},
                                              {"TRACKLAKE_FLUSH_MAX_AGE", "60"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->flush.max_age_s, 60u);
  EXPECT_EQ(config->warnings,
            (std::vector<std::string>{
                "environment variable TRACKLAKE_BIN is not a tracklake option (no section of that name): ignored",
                "environment variable TRACKLAKE_OUTAGE_SECONDS is not a tracklake option (no section of that name): "
                "ignored"}));
  // A section that exists keeps its strictness, whatever else is set.
  Result<Config> typo = LoadToml(kDemoApp, {{"TRACKLAKE_BIN", "x"},
                                            {"TRACKLAKE_SERVER_HEADER_TIMOUT", "3"},
                                            {"TRACKLAKE_EVENT_TYPES_X", "y"},
                                            {"TRACKLAKE_S3_BUKET", "b"}});
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(typo.status().message(), HasSubstr("unknown environment variable TRACKLAKE_SERVER_HEADER_TIMOUT"));
  EXPECT_THAT(typo.status().message(), HasSubstr("unknown environment variable TRACKLAKE_EVENT_TYPES_X"));
  EXPECT_THAT(typo.status().message(), HasSubstr("did you mean TRACKLAKE_S3_BUCKET?"));
  EXPECT_THAT(typo.status().message(), ::testing::Not(HasSubstr("TRACKLAKE_BIN")));
}

TEST(EnvOverrides, AllowListedAndForeignVariablesAreIgnored) {
  Result<Config> config = LoadToml(kDemoApp, {{"TRACKLAKE_CONFIG", "/etc/tracklake.toml"},
                                              {"TRACKLAKE_TEST_TMP", "/tmp/x"},
                                              {"TRACKLAKE_LOG_LEVEL", "debug"},
                                              // A service's client settings in the same shell.
                                              {"TRACKLAKE_ENDPOINT", "http://127.0.0.1:8080"},
                                              {"TRACKLAKE_WRITE_KEY", "k"},
                                              {"PATH", "/usr/bin"},
                                              {"TRACKLAKEX", "1"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(config->warnings.empty());
}

TEST(ProcessEnvironment, ContainsVariablesOfThisProcess) {
  ASSERT_EQ(setenv("TL_CONFIG_TEST_PROBE", "a=b", 1), 0);
  const auto env = ProcessEnvironment();
  unsetenv("TL_CONFIG_TEST_PROBE");
  ASSERT_TRUE(env.contains("TL_CONFIG_TEST_PROBE"));
  EXPECT_EQ(env.at("TL_CONFIG_TEST_PROBE"), "a=b");
}

}  // namespace
}  // namespace tracklake
