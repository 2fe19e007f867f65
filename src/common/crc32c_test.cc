#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace tracklake {
namespace {

// Vectors from RFC 3720 section B.4.
TEST(Crc32c, MatchesRfc3720Vectors) {
  const std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros.data(), zeros.size()), 0x8a9136aau);
  const std::string ones(32, '\xff');
  EXPECT_EQ(crc32c::Value(ones.data(), ones.size()), 0x62a8ab43u);
  std::string inc;
  for (int i = 0; i < 32; ++i) inc.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c::Value(inc.data(), inc.size()), 0x46dd794eu);
  EXPECT_EQ(crc32c::Value("123456789", 9), 0xe3069283u);
}

TEST(Crc32c, ExtendEqualsWhole) {
  const std::string s = "hello write-ahead log";
  EXPECT_EQ(crc32c::Extend(crc32c::Value(s.data(), 5), s.data() + 5, s.size() - 5),
            crc32c::Value(s.data(), s.size()));
}

TEST(Crc32c, MaskRoundTripsAndDiffers) {
  const uint32_t crc = crc32c::Value("foo", 3);
  EXPECT_NE(crc32c::Mask(crc), crc);
  EXPECT_EQ(crc32c::Unmask(crc32c::Mask(crc)), crc);
}

}  // namespace
}  // namespace tracklake
