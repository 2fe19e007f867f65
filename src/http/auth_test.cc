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
  return Authenticator(true, {{{"web", {}, 0, 0, {}, {}, {}}, Digest("key-web"), {}},
                              {{"ios", {"purchase"}, 0, 0, {}, {}, {}}, Digest("key-ios"), {}}});
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

TEST(AuthMemo, AnAcceptedHeaderIsRememberedWithItsApplication) {
  const AppIdentity* app;
  const Authenticator auth = TwoApps();
  AuthMemo memo;
  EXPECT_EQ(auth.Authenticate("Bearer key-nope", &app, &memo), Authenticator::Outcome::kUnknown);
  EXPECT_EQ(memo.owner, nullptr);
  EXPECT_EQ(auth.Authenticate("Bearer key-ios", &app, &memo), Authenticator::Outcome::kOk);
  EXPECT_EQ(memo.owner, &auth);
  EXPECT_EQ(memo.header, "Bearer key-ios");
  EXPECT_EQ(memo.app, app);
  EXPECT_EQ(app->app_id, "ios");
}

TEST(AuthMemo, TheSameHeaderIsTakenFromTheMemoWithoutTheDigest) {
  const AppIdentity* app;
  const Authenticator auth = TwoApps();
  // A header no key matches, planted in the memo: only the memo can accept it.
  const AppIdentity planted{"planted", {}, 0, 0, {}, {}, {}};
  AuthMemo memo{&auth, "Bearer planted-key", &planted};
  EXPECT_EQ(auth.Authenticate("Bearer planted-key", &app, &memo), Authenticator::Outcome::kOk);
  EXPECT_EQ(app, &planted);
  EXPECT_EQ(auth.Authenticate("Bearer planted-key", &app), Authenticator::Outcome::kUnknown);
}

TEST(AuthMemo, ADifferentHeaderIsCheckedAfreshAndReplacesTheMemoOnlyWhenAccepted) {
  const AppIdentity* app;
  const Authenticator auth = TwoApps();
  AuthMemo memo;
  ASSERT_EQ(auth.Authenticate("Bearer key-web", &app, &memo), Authenticator::Outcome::kOk);
  // Same length as the remembered key, one byte off: unknown, and the memo keeps the good one.
  EXPECT_EQ(auth.Authenticate("Bearer key-wex", &app, &memo), Authenticator::Outcome::kUnknown);
  EXPECT_EQ(app, nullptr);
  EXPECT_EQ(memo.header, "Bearer key-web");
  EXPECT_EQ(auth.Authenticate("", &app, &memo), Authenticator::Outcome::kMissing);
  EXPECT_EQ(auth.Authenticate("Bearer key-ios", &app, &memo), Authenticator::Outcome::kOk);
  EXPECT_EQ(app->app_id, "ios");
  EXPECT_EQ(memo.header, "Bearer key-ios");
  EXPECT_EQ(auth.Authenticate("Bearer key-web", &app, &memo), Authenticator::Outcome::kOk);
  EXPECT_EQ(app->app_id, "web");
}

TEST(AuthMemo, AnotherAuthenticatorsMemoIsNotTrusted) {
  const AppIdentity* app;
  const Authenticator first = TwoApps();
  const Authenticator second(true, {{{"web", {}, 0, 0, {}, {}, {}}, Digest("rotated-key"), {}}});
  AuthMemo memo;
  ASSERT_EQ(first.Authenticate("Bearer key-web", &app, &memo), Authenticator::Outcome::kOk);
  EXPECT_EQ(second.Authenticate("Bearer key-web", &app, &memo), Authenticator::Outcome::kUnknown);
  EXPECT_EQ(second.Authenticate("Bearer rotated-key", &app, &memo), Authenticator::Outcome::kOk);
  EXPECT_EQ(memo.owner, &second);
}

TEST(AuthMemo, DisabledAuthLeavesTheMemoAlone) {
  const AppIdentity* app;
  const Authenticator auth(false, {});
  AuthMemo memo;
  EXPECT_EQ(auth.Authenticate("Bearer anything", &app, &memo), Authenticator::Outcome::kOk);
  EXPECT_EQ(app, nullptr);
  EXPECT_EQ(memo.owner, nullptr);
}

}  // namespace
}  // namespace tracklake

namespace tracklake {

TEST(Auth, BrowserKeysAreTheirAppsAndSaySo) {
  AppIdentity shop{"shop", {}, 0, 0, {"https://shop.example.com"}, {}, {"shop-web"}};
  const Authenticator auth(true, {{shop, Digest("server-key"), {Digest("pk_browser_key_123456")}}});
  const AppIdentity* app = nullptr;
  bool browser = true;
  EXPECT_EQ(auth.AuthenticateKey("server-key", &app, &browser), Authenticator::Outcome::kOk);
  EXPECT_FALSE(browser);
  EXPECT_EQ(auth.AuthenticateKey("pk_browser_key_123456", &app, &browser), Authenticator::Outcome::kOk);
  EXPECT_TRUE(browser);
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->app_id, "shop");
  const AppIdentity* shop_app = app;
  EXPECT_EQ(auth.Authenticate("Bearer pk_browser_key_123456", &app, nullptr, &browser), Authenticator::Outcome::kOk);
  EXPECT_TRUE(browser);
  EXPECT_EQ(auth.AuthenticateKey("", &app, &browser), Authenticator::Outcome::kMissing);
  EXPECT_EQ(auth.AuthenticateKey("nope", &app, &browser), Authenticator::Outcome::kUnknown);
  EXPECT_EQ(auth.FindSnowplowApp("shop-web"), shop_app);
  EXPECT_EQ(auth.FindSnowplowApp("other"), nullptr);
}

TEST(AuthMemo, RemembersThatAKeyIsABrowserKey) {
  AppIdentity shop{"shop", {}, 0, 0, {"https://shop.example.com"}, {}, {}};
  const Authenticator auth(true, {{shop, Digest("server-key"), {Digest("pk_browser_key_123456")}}});
  const AppIdentity* app = nullptr;
  bool browser = false;
  AuthMemo memo;
  ASSERT_EQ(auth.Authenticate("Bearer pk_browser_key_123456", &app, &memo, &browser), Authenticator::Outcome::kOk);
  browser = false;
  ASSERT_EQ(auth.Authenticate("Bearer pk_browser_key_123456", &app, &memo, &browser), Authenticator::Outcome::kOk);
  EXPECT_TRUE(browser);  // from the memo: still scoped to its origins
}

}  // namespace tracklake
