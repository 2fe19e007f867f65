// The [kafka] section, [kafka.properties] pass-through, the env override of the topic template,
// and secrets masked by RenderConfig (`tracklake config check`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/test_util.h"

namespace tracklake {
namespace {

using config_test::kDemoApp;
using config_test::LoadToml;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kKafka =
    "[sink]\ntype = \"kafka\"\n"
    "[kafka]\nbrokers = \"b-1.msk:9096,b-2.msk:9096\"\nmessage_key = \"anonymous_id\"\n"
    "exactly_once = false\ntransaction_timeout = 120\n"
    "[kafka.properties]\n\"security.protocol\" = \"SASL_SSL\"\n\"sasl.mechanism\" = \"SCRAM-SHA-512\"\n"
    "\"sasl.username\" = \"tracklake\"\n\"sasl.password\" = \"hunter2-scram\"\n\"linger.ms\" = 20\n";

TEST(KafkaConfig, DefaultsToTrackingTopicsExactlyOnceKeyedByUserId) {
  Result<Config> config = LoadToml(kDemoApp);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->kafka.topic_template, "tracking.{event_type}");
  EXPECT_EQ(config->kafka.message_key, "user_id");
  EXPECT_TRUE(config->kafka.exactly_once);
  EXPECT_TRUE(config->kafka.properties.empty());
}

TEST(KafkaConfig, ParsesTheSectionAndPassesPropertiesThrough) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + std::string(kKafka));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->sink.type, SinkType::kKafka);
  EXPECT_EQ(config->kafka.brokers, "b-1.msk:9096,b-2.msk:9096");
  EXPECT_EQ(config->kafka.message_key, "anonymous_id");
  EXPECT_FALSE(config->kafka.exactly_once);
  EXPECT_EQ(config->kafka.transaction_timeout_s, 120u);
  EXPECT_EQ(config->kafka.properties.at("sasl.password"), "hunter2-scram");
  EXPECT_EQ(config->kafka.properties.at("linger.ms"), "20");
}

TEST(KafkaConfig, TheTopicTemplateComesFromTheEnvironment) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + std::string(kKafka),
                                   {{"TRACKLAKE_KAFKA_TOPIC_TEMPLATE", "prod.events"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->kafka.topic_template, "prod.events");
}

TEST(KafkaConfig, SecretsAreMaskedWhenRenderedAndTheOutputLoadsBackUnmasked) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + std::string(kKafka));
  ASSERT_TRUE(config.ok());
  const std::string masked = RenderConfig(*config);
  EXPECT_THAT(masked, Not(HasSubstr("hunter2-scram")));
  EXPECT_THAT(masked, HasSubstr("\"sasl.password\" = \"***\""));
  EXPECT_THAT(masked, HasSubstr("\"sasl.username\" = \"tracklake\""));
  Result<Config> again = LoadToml(RenderConfig(*config, SecretRendering::kDigests));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->kafka.properties, config->kafka.properties);
}

TEST(KafkaConfig, RefusesWhatWouldBreakTheGuaranteesAndBadShapes) {
  for (const char* line : {"acks = \"1\"", "\"enable.idempotence\" = false", "\"transactional.id\" = \"x\"",
                           "\"bootstrap.servers\" = \"h:1\"", "\"Bad Name\" = \"x\"", "\"linger.ms\" = [1]"}) {
    Result<Config> config = LoadToml(std::string(kDemoApp) + std::string(kKafka) + line + "\n");
    EXPECT_FALSE(config.ok()) << line;
  }
  Result<Config> no_brokers = LoadToml(std::string(kDemoApp) + "[sink]\ntype = \"kafka\"\n");
  ASSERT_FALSE(no_brokers.ok());
  EXPECT_THAT(no_brokers.status().message(), HasSubstr("kafka.brokers is empty"));
  for (const char* brokers : {"nohost", "h:", ":9092", "h:1,,h:2", "h:x"}) {
    EXPECT_FALSE(LoadToml(std::string(kDemoApp) + "[kafka]\nbrokers = \"" + brokers + "\"\n").ok()) << brokers;
  }
  EXPECT_FALSE(LoadToml(std::string(kDemoApp) + "[kafka]\ntopic_template = \"a/{event_type}\"\n").ok());
}

}  // namespace
}  // namespace tracklake
