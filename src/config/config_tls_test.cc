// server.tls_*: the listener's TLS files come as a pair, and the minimum version is a named one.
// Whether the files hold a usable certificate and key is checked by the server at start-up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/test_util.h"

namespace tracklake {
namespace {

using config_test::kDemoApp;
using config_test::LoadToml;
using ::testing::HasSubstr;

TEST(TlsConfig, DefaultsToPlainHttpWithTls12AsTheFloor) {
  Result<Config> config = LoadToml(kDemoApp);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_TRUE(config->server.tls_cert.empty());
  EXPECT_TRUE(config->server.tls_key.empty());
  EXPECT_EQ(config->server.tls_min_version, TlsVersion::kTls12);
}

TEST(TlsConfig, ParsesCertificateKeyAndMinimumVersion) {
  Result<Config> config = LoadToml(std::string(kDemoApp) +
                                   "[server]\ntls_cert = \"/etc/tracklake/chain.pem\"\n"
                                   "tls_key = \"/etc/tracklake/key.pem\"\ntls_min_version = \"1.3\"\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->server.tls_cert, "/etc/tracklake/chain.pem");
  EXPECT_EQ(config->server.tls_key, "/etc/tracklake/key.pem");
  EXPECT_EQ(config->server.tls_min_version, TlsVersion::kTls13);
}

TEST(TlsConfig, CertificateWithoutKeyNamesTheMissingField) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + "[server]\ntls_cert = \"chain.pem\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("server.tls_cert is set but server.tls_key is empty"));
}

TEST(TlsConfig, KeyWithoutCertificateNamesTheMissingField) {
  Result<Config> config = LoadToml(kDemoApp, {{"TRACKLAKE_SERVER_TLS_KEY", "key.pem"}});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("server.tls_key is set but server.tls_cert is empty"));
}

TEST(TlsConfig, EnvironmentCanSupplyTheOtherHalfOfThePair) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + "[server]\ntls_cert = \"chain.pem\"\n",
                                   {{"TRACKLAKE_SERVER_TLS_KEY", "key.pem"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->server.tls_key, "key.pem");
}

TEST(TlsConfig, VersionsBelow12AreNotOffered) {
  Result<Config> config = LoadToml(std::string(kDemoApp) + "[server]\ntls_min_version = \"1.1\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("server.tls_min_version"));
  EXPECT_THAT(config.status().message(), HasSubstr("\"1.3\""));
}

}  // namespace
}  // namespace tracklake
