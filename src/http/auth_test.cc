#include "http/auth.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include "common/json_writer.h"

namespace tracklake {
namespace {

std::string Digest(std::string_view key) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), d);
  return std::string(reinterpret_cast<char*>(d), sizeof(d));
}

Authenticator TwoApps() {
  return Authenticator(true, {{{"web", {}, 0, 0}, Digest("key-web")}, {{"ios", {"purchase"}, 0, 0}, Digest("key-ios")}});
}

TEST(Auth, BearerKeySelectsItsApplication) {
  const AppIdentity* app;
  const Authenticator auth = TwoApps();
  EXPECT_EQ(auth.Authenticate("Bearer key-ios", &app), Authenticator::Outcome::kOk);
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->app_id, "ios");
  EXPECT_EQ(app->event_types, std::vector<std::string>{"purchase"});
}

TEST(Auth, BasicWithKeyAsUserName) {
  const AppIdentity* app;
  const Authenticator auth = TwoApps();
  EXPECT_EQ(auth.Authenticate("Basic " + Base64Encode("key-web:"), &app), Authenticator::Outcome::kOk);
  EXPECT_EQ(app->app_id, "web");
}

TEST(Auth, MissingMalformedAndUnknownAreDistinguished) {
  const AppIdentity* app;
  const Authenticator a = TwoApps();
  EXPECT_EQ(a.Authenticate("", &app), Authenticator::Outcome::kMissing);
  EXPECT_EQ(a.Authenticate("Token abc", &app), Authenticator::Outcome::kMalformed);
  EXPECT_EQ(a.Authenticate("Basic !!!", &app), Authenticator::Outcome::kMalformed);
  EXPECT_EQ(a.Authenticate("Bearer key-webX", &app), Authenticator::Outcome::kUnknown);
  EXPECT_EQ(app, nullptr);
}

TEST(Auth, DisabledAcceptsEveryoneAnonymously) {
  const AppIdentity* app = reinterpret_cast<const AppIdentity*>(1);
  EXPECT_EQ(Authenticator(false, {}).Authenticate("", &app), Authenticator::Outcome::kOk);
  EXPECT_EQ(app, nullptr);
}

}  // namespace
}  // namespace tracklake
