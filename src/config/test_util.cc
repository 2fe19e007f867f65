#include "config/test_util.h"

#include <openssl/sha.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "common/file_util.h"
#include "common/hex.h"
#include "config/option_table.h"

namespace tracklake::config_test {

std::string WriteTempFile(std::string_view text, std::string_view extension) {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TRACKLAKE_TEST_TMP");
  const std::string dir = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/config_test";
  EXPECT_TRUE(CreateDirs(dir).ok());
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string path = dir + "/" + (info != nullptr ? info->name() : "config") + "-" + std::to_string(getpid()) +
                           "-" + std::to_string(counter++) + std::string(extension);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

Result<Config> LoadToml(std::string_view toml, const std::map<std::string, std::string>& env) {
  return LoadConfig(WriteTempFile(toml), env);
}

std::string Sha256(std::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

std::string Hex(std::string_view bytes) { return HexEncode(bytes); }

void ExpectSameConfig(const Config& a, const Config& b) {
  for (const auto& spec : config_internal::AllOptions()) {
    if (spec.bind.load == nullptr) continue;
    EXPECT_EQ(spec.bind.load(a), spec.bind.load(b)) << config_internal::FullKey(spec);
  }
  ASSERT_EQ(a.auth.apps.size(), b.auth.apps.size());
  for (size_t i = 0; i < a.auth.apps.size(); ++i) {
    EXPECT_EQ(a.auth.apps[i].app_id, b.auth.apps[i].app_id);
    EXPECT_EQ(Hex(a.auth.apps[i].key_sha256), Hex(b.auth.apps[i].key_sha256));
    EXPECT_EQ(a.auth.apps[i].event_types, b.auth.apps[i].event_types);
    EXPECT_EQ(a.auth.apps[i].browser_keys, b.auth.apps[i].browser_keys);
    EXPECT_EQ(a.auth.apps[i].allowed_origins, b.auth.apps[i].allowed_origins);
    EXPECT_EQ(a.auth.apps[i].browser_event_types, b.auth.apps[i].browser_event_types);
    EXPECT_EQ(a.auth.apps[i].snowplow_app_ids, b.auth.apps[i].snowplow_app_ids);
  }
  EXPECT_EQ(a.event_type_columns, b.event_type_columns);
}

}  // namespace tracklake::config_test
