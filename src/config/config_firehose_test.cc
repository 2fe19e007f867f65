// The [firehose] section and sink.type = "firehose": parsing, the env override the design
// note asks for (TRACKLAKE_FIREHOSE_STREAM_TEMPLATE), and the stream-name rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/test_util.h"

namespace tracklake {
namespace {

using config_test::kDemoApp;
using config_test::LoadToml;
using ::testing::HasSubstr;

TEST(FirehoseConfig, DefaultsToOneTrackingStreamPerEventType) {
  Result<Config> config = LoadToml(kDemoApp);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->firehose.stream_template, "tracking-{event_type}");
  EXPECT_EQ(config->firehose.region, "us-east-1");
  EXPECT_FALSE(config->firehose.aggregate);
  EXPECT_EQ(config->firehose.max_record_retries, 3u);
}

TEST(FirehoseConfig, ParsesEveryFirehoseOption) {
  Result<Config> config = LoadToml(std::string(kDemoApp) +
                                   "[sink]\ntype = \"firehose\"\n"
                                   "[firehose]\nstream_template = \"prod.{event_type}\"\nregion = \"eu-west-1\"\n"
                                   "endpoint = \"http://127.0.0.1:5000\"\naggregate = true\nmax_record_retries = 5\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sink.type, SinkType::kFirehose);
  EXPECT_EQ(config->firehose.stream_template, "prod.{event_type}");
  EXPECT_EQ(config->firehose.region, "eu-west-1");
  EXPECT_EQ(config->firehose.endpoint, "http://127.0.0.1:5000");
  EXPECT_TRUE(config->firehose.aggregate);
  EXPECT_EQ(config->firehose.max_record_retries, 5u);
}

TEST(FirehoseConfig, TheStreamTemplateComesFromTheEnvironment) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + "[firehose]\nstream_template = \"file-{event_type}\"\n",
                                   {{"TRACKLAKE_SINK_TYPE", "firehose"},
                                    {"TRACKLAKE_FIREHOSE_STREAM_TEMPLATE", "env-{event_type}"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sink.type, SinkType::kFirehose);
  EXPECT_EQ(config->firehose.stream_template, "env-{event_type}");
}

TEST(FirehoseConfig, RejectsTemplatesThatMakeInvalidStreamNames) {
  for (const char* bad : {"", "tracking/{event_type}", "tracking {event_type}"}) {
    EXPECT_THAT(LoadToml(std::string(kDemoApp) + "[firehose]\nstream_template = \"" + bad + "\"\n").status().message(),
                HasSubstr("firehose.stream_template"))
        << bad;
  }
  EXPECT_THAT(LoadToml(std::string(kDemoApp) + "[firehose]\nendpoint = \"localhost:5000\"\n").status().message(),
              HasSubstr("firehose.endpoint"));
  EXPECT_THAT(LoadToml(std::string(kDemoApp) + "[firehose]\nmax_record_retries = 99\n").status().message(),
              HasSubstr("firehose.max_record_retries"));
}

}  // namespace
}  // namespace tracklake
