// LoadConfig with the fixed sections: defaults, every section, and each kind of error.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>

#include "config/config.h"
#include "config/test_util.h"

namespace tracklake {
namespace {

using config_test::kDemoApp;
using config_test::LoadToml;
using ::testing::HasSubstr;

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  EXPECT_EQ(gethostname(name, sizeof(name) - 1), 0);
  return name;
}

std::string ErrorOf(std::string_view toml) {
  Result<Config> config = LoadToml(toml);
  EXPECT_FALSE(config.ok()) << toml;
  EXPECT_EQ(config.status().code(), Status::Code::kInvalidArgument);
  return config.status().message();
}

TEST(LoadConfig, WithoutFileGivesStructDefaultsAndHostNameAsNodeId) {
  Result<Config> config = LoadConfig(std::nullopt, {{"TRACKLAKE_AUTH_MODE", "none"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  Config expected;
  expected.node.id = HostName();
  expected.auth.mode = AuthMode::kNone;
  config_test::ExpectSameConfig(*config, expected);
}

TEST(LoadConfig, AMissingFileIsNamedAsTheConfigFile) {
  const std::string path = "/nonexistent-dir-of-tracklake-tests/tracklake.toml";
  Result<Config> config = LoadConfig(path, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(config.status().message(), "config file " + path + " does not exist");
}

TEST(LoadConfig, EmptyFileGivesDefaults) {
  Result<Config> config = LoadToml(kDemoApp);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->wal.segment_bytes, Config{}.wal.segment_bytes);
  EXPECT_EQ(config->flush.max_age_s, Config{}.flush.max_age_s);
  EXPECT_EQ(config->node.id, HostName());
}

TEST(LoadConfig, ParsesEveryFixedSection) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + R"(
[node]
id = "eu-1"
[server]
listen = "0.0.0.0:9000"
threads = 4
max_body_bytes = "2MiB"
max_decompressed_bytes = 16777216
header_timeout = 5
body_timeout = 20
idle_timeout = 90
max_connections = 500
[auth]
mode = "keys"
[validation]
coerce_scalars = true
max_fields = 100
max_event_bytes = "64KiB"
max_events_per_request = 500
[wal]
dir = "/var/lib/tracklake/wal"
durability = "write"
segment_bytes = "128MiB"
max_bytes = "1GiB"
queue_bytes = "32MiB"
commit_delay_us = 750
direct_io = false
[flush]
max_bytes = "16MiB"
max_age = 60
max_buffered_bytes = "512MiB"
[lake]
dir = "/data/lake"
format = "parquet"
parquet_compression = "snappy"
parquet_dictionary_bytes = "2MiB"
)");
  ASSERT_TRUE(config.ok()) << config.status().message();
  const Config& c = *config;
  EXPECT_EQ(c.node.id, "eu-1");
  EXPECT_EQ(c.server.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.server.threads, 4);
  EXPECT_EQ(c.server.max_body_bytes, 2u << 20);
  EXPECT_EQ(c.server.max_decompressed_bytes, 16u << 20);
  EXPECT_EQ(c.server.header_timeout_s, 5u);
  EXPECT_EQ(c.server.body_timeout_s, 20u);
  EXPECT_EQ(c.server.idle_timeout_s, 90u);
  EXPECT_EQ(c.server.max_connections, 500u);
  EXPECT_EQ(c.auth.mode, AuthMode::kKeys);
  EXPECT_TRUE(c.validation.coerce_scalars);
  EXPECT_EQ(c.validation.max_fields, 100u);
  EXPECT_EQ(c.validation.max_event_bytes, 64u * 1024);
  EXPECT_EQ(c.validation.max_events_per_request, 500u);
  EXPECT_EQ(c.wal.dir, "/var/lib/tracklake/wal");
  EXPECT_EQ(c.wal.durability, Durability::kWrite);
  EXPECT_EQ(c.wal.segment_bytes, 128u << 20);
  EXPECT_EQ(c.wal.max_bytes, 1u << 30);
  EXPECT_EQ(c.wal.queue_bytes, 32u << 20);
  EXPECT_EQ(c.wal.commit_delay_us, 750u);
  EXPECT_FALSE(c.wal.direct_io);
  EXPECT_EQ(c.flush.max_bytes, 16u << 20);
  EXPECT_EQ(c.flush.max_age_s, 60u);
  EXPECT_EQ(c.flush.max_buffered_bytes, 512u << 20);
  EXPECT_EQ(c.lake.dir, "/data/lake");
  EXPECT_EQ(c.lake.format, LakeFormat::kParquet);
  EXPECT_EQ(c.lake.parquet_compression, ParquetCodec::kSnappy);
  EXPECT_EQ(c.lake.parquet_dictionary_bytes, 2u << 20);
}

TEST(LoadConfig, UnknownKeyIsNamedWithTheSectionsKeys) {
  const std::string error = ErrorOf(std::string(kDemoApp) + "[wal]\nfsyncc = true\n");
  EXPECT_THAT(error, HasSubstr("unknown key 'wal.fsyncc'"));
  EXPECT_THAT(error, HasSubstr("durability"));
}

TEST(LoadConfig, UnknownKeySuggestsTheNearestOne) {
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[server]\nthread = 2\n"), HasSubstr("did you mean 'server.threads'?"));
}

TEST(LoadConfig, UnknownSectionIsNamed) {
  const std::string error = ErrorOf(std::string(kDemoApp) + "[flsuh]\nmax_age = 60\n");
  EXPECT_THAT(error, HasSubstr("unknown section [flsuh]"));
  EXPECT_THAT(error, HasSubstr("did you mean [flush]?"));
}

TEST(LoadConfig, KeyOutsideAnySectionNamesTheSectionItBelongsIn) {
  EXPECT_THAT(ErrorOf(std::string("threads = 4\n") + std::string(kDemoApp)),
              HasSubstr("unknown key 'threads' outside any section: options belong in a section; "
                        "did you mean [server] threads?"));
}

TEST(LoadConfig, SectionGivenAsAValueIsAnError) {
  EXPECT_THAT(ErrorOf(std::string("wal = 5\n") + std::string(kDemoApp)),
              HasSubstr("wal = 5: must be a section ([wal])"));
}

TEST(LoadConfig, WrongTypeNamesKeyValueAndExpectedType) {
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[server]\nthreads = \"four\"\n"),
              HasSubstr("server.threads = \"four\": must be an integer"));
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[validation]\ncoerce_scalars = \"yes\"\n"),
              HasSubstr("validation.coerce_scalars = \"yes\": must be true or false"));
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[flush]\nmax_age = 1.5\n"),
              HasSubstr("flush.max_age = 1.5: must be an integer number of seconds"));
}

TEST(LoadConfig, OutOfBoundsNamesKeyValueRuleReasonAndLine) {
  const std::string error = ErrorOf(std::string(kDemoApp) + "[flush]\n\nmax_age = 7200\n");
  EXPECT_THAT(error, HasSubstr(":5: flush.max_age = 7200: must be between 1 and 3600 seconds "
                               "(the freshness promise is one hour)"));
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[wal]\nsegment_bytes = \"2GiB\"\n"),
              HasSubstr("wal.segment_bytes = \"2GiB\": must be between 1MiB and 1GiB"));
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[server]\nthreads = 65\n"),
              HasSubstr("server.threads = 65: must be between 0 and 64"));
}

TEST(LoadConfig, BadEnumListsTheAllowedValues) {
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[wal]\ndurability = \"fsnyc\"\n"),
              HasSubstr("wal.durability = \"fsnyc\": must be one of \"fsync\", \"write\""));
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[lake]\nformat = \"csv\"\n"),
              HasSubstr("must be one of \"ndjson.gz\", \"parquet\""));
}

TEST(LoadConfig, BadListenAddressIsRejected) {
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[server]\nlisten = \"8080\"\n"),
              HasSubstr("server.listen = \"8080\": must be host:port"));
}

TEST(LoadConfig, BadByteUnitIsRejected) {
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[wal]\nsegment_bytes = \"64MB\"\n"),
              HasSubstr("wal.segment_bytes = \"64MB\": has an unknown unit \"MB\""));
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[wal]\nsegment_bytes = true\n"),
              HasSubstr("wal.segment_bytes = true: must be a byte size"));
}

TEST(LoadConfig, BadNodeIdIsRejected) {
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[node]\nid = \"a/b\"\n"),
              HasSubstr("node.id = \"a/b\": must match [A-Za-z0-9_.-]{1,64}"));
}

TEST(LoadConfig, BudgetsMustHoldTheirParts) {
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[wal]\nsegment_bytes = \"1GiB\"\nmax_bytes = \"512MiB\"\n"),
              HasSubstr("wal.segment_bytes = 1GiB is larger than wal.max_bytes = 512MiB"));
  EXPECT_THAT(ErrorOf(std::string(kDemoApp) + "[flush]\nmax_bytes = \"1GiB\"\nmax_buffered_bytes = \"512MiB\"\n"),
              HasSubstr("flush.max_bytes = 1GiB is larger than flush.max_buffered_bytes"));
}

TEST(LoadConfig, ReportsEveryErrorAtOnce) {
  const std::string error = ErrorOf(std::string(kDemoApp) + "[wal]\nfsyncc = 1\n[flush]\nmax_age = 0\n");
  EXPECT_THAT(error, HasSubstr("2 configuration errors"));
  EXPECT_THAT(error, HasSubstr("wal.fsyncc"));
  EXPECT_THAT(error, HasSubstr("flush.max_age = 0"));
}

TEST(LoadConfig, TomlSyntaxErrorReportsFileLineAndColumn) {
  const std::string path = config_test::WriteTempFile("[wal]\ndir = \"a\"\ndurability = fsync\n");
  Result<Config> config = LoadConfig(path, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr(path + ":3:"));
  EXPECT_THAT(config.status().message(), HasSubstr("TOML syntax error"));
}

TEST(LoadConfig, MissingFileIsNotFound) {
  Result<Config> config = LoadConfig("/nonexistent/tracklake.toml", {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Status::Code::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("/nonexistent/tracklake.toml"));
}

}  // namespace
}  // namespace tracklake
