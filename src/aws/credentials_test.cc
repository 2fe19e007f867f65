// Local credential providers (environment, shared files), the chain's order, the cache's
// refresh rules and the redacted formatter. The remote providers are tested in tests/aws
// against moto's STS and small metadata servers.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aws/credential_providers.h"

namespace tracklake::aws {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    const char* root = std::getenv("TRACKLAKE_TEST_TMP");
    path_ = fs::path(root ? root : fs::temp_directory_path().string()) /
            ("aws-credentials-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(Redacted, ShowsTheKeyIdButNeverTheSecretOrTheToken) {
  Credentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLETOKEN",
                1'700'000'000'000, "environment"};
  const std::string text = Redacted(c);
  EXPECT_NE(text.find("AKIDEXAMPLE"), std::string::npos);
  EXPECT_NE(text.find("environment"), std::string::npos);
  EXPECT_EQ(text.find("wJalrXUtnFEMI"), std::string::npos) << text;
  EXPECT_EQ(text.find("EXAMPLEKEY"), std::string::npos) << text;
  EXPECT_EQ(text.find("FwoGZXIvYXdz"), std::string::npos) << text;
  EXPECT_NE(text.find("secret_access_key=***"), std::string::npos) << text;
  EXPECT_NE(text.find("session_token=***"), std::string::npos) << text;
}

TEST(Redacted, SaysWhenThereIsNoSessionToken) {
  EXPECT_NE(Redacted(Credentials{"AKID", "s", "", std::nullopt, "x"}).find("session_token=(none)"), std::string::npos);
}

TEST(EnvironmentProvider, ReadsKeysAndSessionToken) {
  Result<Credentials> c = MakeEnvironmentProvider({{"AWS_ACCESS_KEY_ID", "AKID"},
                                                   {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                   {"AWS_SESSION_TOKEN", "token"}})
                              ->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKID");
  EXPECT_EQ(c->secret_access_key, "secret");
  EXPECT_EQ(c->session_token, "token");
  EXPECT_FALSE(c->expiration_ms.has_value());
}

TEST(EnvironmentProvider, IsNotFoundWithoutVariablesAndAnErrorWithOnlyOne) {
  EXPECT_EQ(MakeEnvironmentProvider({})->Get().status().code(), Status::Code::kNotFound);
  EXPECT_EQ(MakeEnvironmentProvider({{"AWS_ACCESS_KEY_ID", "AKID"}})->Get().status().code(),
            Status::Code::kInvalidArgument);
}

TEST(ProfileProvider, ReadsTheDefaultProfileFromHome) {
  TempDir home;
  home.Write(".aws/credentials",
             "# comment\n[other]\naws_access_key_id = OTHER\naws_secret_access_key = o\n\n"
             "[default]\naws_access_key_id = AKIDDEFAULT\n aws_access_key_id = NESTED\n"
             "aws_secret_access_key = s3cr3t\n; another comment\naws_session_token = tok\n");
  Result<Credentials> c = MakeProfileProvider({{"HOME", home.path().string()}})->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(c->secret_access_key, "s3cr3t");
  EXPECT_EQ(c->session_token, "tok");
}

TEST(ProfileProvider, AwsProfileSelectsAProfileFromTheConfigFileWithItsPrefix) {
  TempDir dir;
  const std::string config = dir.Write("config",
                                       "[default]\nregion = eu-west-1\n"
                                       "[profile ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ci\n"
                                       "[ci]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n");
  Result<Credentials> c = MakeProfileProvider({{"AWS_CONFIG_FILE", config},
                                               {"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string()},
                                               {"AWS_PROFILE", "ci"}})
                              ->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDCI");
}

TEST(ProfileProvider, CredentialsFileWinsOverConfigFile) {
  TempDir dir;
  const std::string creds = dir.Write("credentials", "[prod]\naws_access_key_id=FROMCREDS\naws_secret_access_key=a\n");
  const std::string config = dir.Write("config",
                                       "[profile prod]\naws_access_key_id=FROMCONFIG\naws_secret_access_key=b\n");
  Result<Credentials> c = MakeProfileProvider({{"AWS_CONFIG_FILE", config},
                                               {"AWS_SHARED_CREDENTIALS_FILE", creds},
                                               {"AWS_PROFILE", "prod"}})
                              ->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "FROMCREDS");
}

TEST(ProfileProvider, MissingDefaultIsNotFoundButAMissingNamedProfileIsAnError) {
  TempDir dir;
  const std::string config = dir.Write("config", "[default]\nregion = us-east-1\n");
  const Environment base{{"AWS_CONFIG_FILE", config},
                         {"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "absent").string()}};
  EXPECT_EQ(MakeProfileProvider(base)->Get().status().code(), Status::Code::kNotFound);
  Environment named = base;
  named["AWS_PROFILE"] = "nope";
  EXPECT_EQ(MakeProfileProvider(named)->Get().status().code(), Status::Code::kInvalidArgument);
}

TEST(ProfileProvider, AProfileThatAssumesARoleIsReportedAsUnsupported) {
  TempDir dir;
  const std::string config = dir.Write("config",
                                       "[profile role]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = d\n");
  Result<Credentials> c = MakeProfileProvider({{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "role"}})->Get();
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(c.status().message().find("role_arn"), std::string::npos);
}

TEST(DefaultChain, EnvironmentComesBeforeSharedFiles) {
  TempDir home;
  home.Write(".aws/credentials", "[default]\naws_access_key_id=FROMFILE\naws_secret_access_key=f\n");
  const Environment env{{"HOME", home.path().string()},
                        {"AWS_EC2_METADATA_DISABLED", "true"},
                        {"AWS_ACCESS_KEY_ID", "FROMENV"},
                        {"AWS_SECRET_ACCESS_KEY", "e"}};
  Result<Credentials> c = MakeDefaultCredentialsChain(env)->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "FROMENV");
  EXPECT_EQ(c->source, "environment");
}

TEST(DefaultChain, FallsBackToSharedFilesAndReportsEveryProviderWhenNothingIsFound) {
  TempDir home;
  const Environment empty_home{{"HOME", home.path().string()}, {"AWS_EC2_METADATA_DISABLED", "true"}};
  Result<Credentials> none = MakeDefaultCredentialsChain(empty_home)->Get();
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound);
  for (const char* provider :
       {"environment", "shared files", "web identity", "container credentials", "instance metadata"}) {
    EXPECT_NE(none.status().message().find(provider), std::string::npos) << none.status().message();
  }
  home.Write(".aws/credentials", "[default]\naws_access_key_id=FROMFILE\naws_secret_access_key=f\n");
  Result<Credentials> c = MakeDefaultCredentialsChain(empty_home)->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "FROMFILE");
}

TEST(DefaultChain, AConfiguredButBrokenSourceStopsTheChain) {
  TempDir home;
  home.Write(".aws/credentials", "[default]\naws_access_key_id=FROMFILE\naws_secret_access_key=f\n");
  // Web identity comes after the files, so break the environment instead: half-set keys.
  const Environment env{{"HOME", home.path().string()}, {"AWS_ACCESS_KEY_ID", "ONLYID"}};
  EXPECT_EQ(MakeDefaultCredentialsChain(env)->Get().status().code(), Status::Code::kInvalidArgument);
}

TEST(EcsProvider, RefusesToSendTheTokenInClearTextToAnArbitraryHost) {
  Result<Credentials> c = MakeEcsProvider({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"},
                                           {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "t"}})
                              ->Get();
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
}

TEST(ImdsProvider, IsSkippedWhenDisabled) {
  EXPECT_EQ(MakeImdsProvider({{"AWS_EC2_METADATA_DISABLED", "true"}})->Get().status().code(), Status::Code::kNotFound);
}

TEST(WebIdentityProvider, IsNotFoundUnlessConfiguredAndNeedsBothVariables) {
  EXPECT_EQ(MakeWebIdentityProvider({})->Get().status().code(), Status::Code::kNotFound);
  EXPECT_EQ(MakeWebIdentityProvider({{"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}})->Get().status().code(),
            Status::Code::kInvalidArgument);
}

// Hands out numbered temporary credentials, or fails when told to.
class CountingProvider : public CredentialsProvider {
 public:
  CountingProvider(std::atomic<int>& calls, std::atomic<bool>& fail, std::atomic<int64_t>& now, int64_t lifetime_ms)
      : calls_(calls), fail_(fail), now_(now), lifetime_ms_(lifetime_ms) {}
  Result<Credentials> Get() override {
    const int n = ++calls_;
    if (fail_) return Status::Unavailable("provider down");
    return Credentials{"AKID" + std::to_string(n), "secret", "token", now_ + lifetime_ms_, "counting"};
  }
  std::string_view name() const override { return "counting"; }

 private:
  std::atomic<int>& calls_;
  std::atomic<bool>& fail_;
  std::atomic<int64_t>& now_;
  const int64_t lifetime_ms_;
};

class CachingProviderTest : public ::testing::Test {
 protected:
  static constexpr int64_t kHourMs = 3'600'000;
  static constexpr int64_t kMarginMs = 300'000;
  std::unique_ptr<CredentialsProvider> Make(int64_t lifetime_ms = kHourMs) {
    return MakeCachingProvider(std::make_unique<CountingProvider>(calls_, fail_, now_, lifetime_ms), kMarginMs,
                               [this] { return now_.load(); });
  }
  std::atomic<int> calls_{0};
  std::atomic<bool> fail_{false};
  std::atomic<int64_t> now_{1'000'000'000'000};
};

TEST_F(CachingProviderTest, ReusesCredentialsUntilTheRefreshMarginBeforeExpiry) {
  auto provider = Make();
  EXPECT_EQ(provider->Get()->access_key_id, "AKID1");
  now_ += kHourMs - kMarginMs - 1;
  EXPECT_EQ(provider->Get()->access_key_id, "AKID1");
  EXPECT_EQ(calls_, 1);
  now_ += 1;
  EXPECT_EQ(provider->Get()->access_key_id, "AKID2");
  EXPECT_EQ(calls_, 2);
}

TEST_F(CachingProviderTest, KeepsValidCredentialsWhenARefreshFailsAndFailsOnceTheyExpired) {
  auto provider = Make();
  ASSERT_TRUE(provider->Get().ok());
  fail_ = true;
  now_ += kHourMs - kMarginMs;
  Result<Credentials> still = provider->Get();
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->access_key_id, "AKID1");
  now_ += kMarginMs;
  EXPECT_EQ(provider->Get().status().code(), Status::Code::kUnavailable);
}

TEST_F(CachingProviderTest, ShortLivedCredentialsAreRefreshedAtHalfTheirLife) {
  constexpr int64_t kShortMs = 60'000;
  auto provider = Make(kShortMs);
  ASSERT_TRUE(provider->Get().ok());
  now_ += kShortMs / 2 - 1;
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(calls_, 1);
  now_ += 1;
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(calls_, 2);
}

TEST_F(CachingProviderTest, ConcurrentCallersShareOneLookup) {
  auto provider = Make();
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 100; ++j) ok += provider->Get().ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, kThreads * 100);
  EXPECT_EQ(calls_, 1);
}

}  // namespace
}  // namespace tracklake::aws
