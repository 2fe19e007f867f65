// The [sink] and [s3] sections: parsing, the rules S3 imposes, and the cross-option checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/test_util.h"

namespace tracklake {
namespace {

using config_test::kDemoApp;
using config_test::LoadToml;
using ::testing::HasSubstr;

TEST(S3Config, DefaultsToTheLocalSink) {
  Result<Config> config = LoadToml(kDemoApp);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sink.type, SinkType::kLocal);
  EXPECT_EQ(config->s3.region, "us-east-1");
  EXPECT_EQ(config->s3.part_size, 16ull << 20);
}

TEST(S3Config, ParsesEveryS3Option) {
  Result<Config> config = LoadToml(std::string(kDemoApp) +
                                   "[sink]\ntype = \"s3\"\n"
                                   "[s3]\nbucket = \"lake\"\nprefix = \"events/\"\nregion = \"eu-west-1\"\n"
                                   "endpoint = \"http://127.0.0.1:9000\"\npath_style = true\nsse = \"aws:kms\"\n"
                                   "sse_kms_key_id = \"alias/lake\"\nstorage_class = \"STANDARD_IA\"\n"
                                   "multipart_threshold = \"8MiB\"\npart_size = \"5MiB\"\nmax_parallel_parts = 3\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sink.type, SinkType::kS3);
  EXPECT_EQ(config->s3.bucket, "lake");
  EXPECT_EQ(config->s3.prefix, "events/");
  EXPECT_EQ(config->s3.region, "eu-west-1");
  EXPECT_EQ(config->s3.endpoint, "http://127.0.0.1:9000");
  EXPECT_TRUE(config->s3.path_style);
  EXPECT_EQ(config->s3.sse, "aws:kms");
  EXPECT_EQ(config->s3.sse_kms_key_id, "alias/lake");
  EXPECT_EQ(config->s3.storage_class, "STANDARD_IA");
  EXPECT_EQ(config->s3.multipart_threshold, 8ull << 20);
  EXPECT_EQ(config->s3.part_size, 5ull << 20);
  EXPECT_EQ(config->s3.max_parallel_parts, 3u);
}

TEST(S3Config, EnvironmentOverridesTheS3Section) {
  Result<Config> config = LoadToml(kDemoApp, {{"TRACKLAKE_SINK_TYPE", "s3"}, {"TRACKLAKE_S3_BUCKET", "from-env"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sink.type, SinkType::kS3);
  EXPECT_EQ(config->s3.bucket, "from-env");
}

TEST(S3Config, TheS3SinkNeedsABucket) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + "[sink]\ntype = \"s3\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("s3.bucket is empty"));
}

TEST(S3Config, RejectsValuesS3WouldRefuse) {
  EXPECT_THAT(LoadToml(std::string(kDemoApp) + "[s3]\npart_size = \"4MiB\"\n").status().message(),
              HasSubstr("s3.part_size"));
  EXPECT_THAT(LoadToml(std::string(kDemoApp) + "[s3]\nsse = \"aes256\"\n").status().message(), HasSubstr("s3.sse"));
  EXPECT_THAT(LoadToml(std::string(kDemoApp) + "[s3]\nstorage_class = \"COLD\"\n").status().message(),
              HasSubstr("s3.storage_class"));
  EXPECT_THAT(LoadToml(std::string(kDemoApp) + "[s3]\nendpoint = \"127.0.0.1:9000\"\n").status().message(),
              HasSubstr("s3.endpoint"));
  EXPECT_THAT(LoadToml(std::string(kDemoApp) + "[s3]\nmax_parallel_parts = 0\n").status().message(),
              HasSubstr("s3.max_parallel_parts"));
}

TEST(S3Config, AKmsKeyWithoutKmsEncryptionIsAMistake) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + "[s3]\nsse = \"AES256\"\nsse_kms_key_id = \"alias/x\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("s3.sse_kms_key_id"));
}

TEST(S3Config, VirtualHostedAddressingWithAnIpEndpointIsRefused) {
  const std::string s3 = std::string(kDemoApp) + "[sink]\ntype = \"s3\"\n[s3]\nbucket = \"lake\"\n";
  for (const char* endpoint : {"http://127.0.0.1:9000", "https://10.0.0.5", "http://[::1]:9000/"}) {
    Result<Config> config = LoadToml(s3 + "endpoint = \"" + endpoint + "\"\n");
    ASSERT_FALSE(config.ok()) << endpoint;
    EXPECT_THAT(config.status().message(), HasSubstr("s3.path_style = false"));
    EXPECT_THAT(config.status().message(), HasSubstr("set s3.path_style = true"));
    EXPECT_TRUE(LoadToml(s3 + "endpoint = \"" + endpoint + "\"\npath_style = true\n").ok()) << endpoint;
  }
  EXPECT_TRUE(LoadToml(s3 + "endpoint = \"http://minio.internal:9000\"\n").ok());
  EXPECT_TRUE(LoadToml(s3).ok());  // AWS
}

TEST(S3Config, ADottedBucketOverHttpsVirtualHostedIsWarnedAbout) {
  const std::string s3 = std::string(kDemoApp) + "[sink]\ntype = \"s3\"\n[s3]\nbucket = \"acme.lake\"\n";
  Result<Config> config = LoadToml(s3);
  ASSERT_TRUE(config.ok());
  const std::vector<std::string> warnings = ConfigWarnings(*config);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("s3.bucket = \"acme.lake\""));
  EXPECT_THAT(warnings[0], HasSubstr("s3.path_style = true"));
  for (const std::string& fine : {s3 + "path_style = true\n", s3 + "endpoint = \"http://minio:9000\"\n",
                                  std::string(kDemoApp) + "[s3]\nbucket = \"a.b\"\n"}) {  // the last: local sink
    Result<Config> c = LoadToml(fine);
    ASSERT_TRUE(c.ok()) << fine;
    EXPECT_TRUE(ConfigWarnings(*c).empty()) << fine;
  }
}

}  // namespace
}  // namespace tracklake
