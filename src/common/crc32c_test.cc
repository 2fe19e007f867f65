#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

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
  EXPECT_EQ(crc32c::Extend(crc32c::Value(s.data(), 5), s.data() + 5, s.size() - 5), crc32c::Value(s.data(), s.size()));
}

// The hardware path interleaves three streams over 8 KiB and 256-byte blocks and combines them:
// lengths around every block boundary, unaligned starts and non-zero starting CRCs must give what
// the byte-at-a-time table gives.
TEST(Crc32c, EveryPathEqualsTheTable) {
  std::mt19937 rng(11);
  std::string data(200000, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 70; ++n) lengths.push_back(n);
  for (size_t block : {256u, 8192u}) {
    for (size_t k : {1u, 2u, 3u, 4u, 6u, 7u}) {
      for (size_t d = 0; d <= 18; ++d) lengths.push_back(k * block - 9 + d);  // k blocks, -9 .. +9
    }
  }
  lengths.push_back(100000);
  lengths.push_back(199990);
  for (size_t n : lengths) {
    for (size_t start : {0u, 1u, 3u, 7u}) {
      const uint32_t init = static_cast<uint32_t>(rng());
      ASSERT_EQ(crc32c::Extend(init, data.data() + start, n),
                crc32c::internal::ExtendTable(init, data.data() + start, n))
          << "length " << n << " start " << start;
    }
  }
}

TEST(Crc32c, MaskRoundTripsAndDiffers) {
  const uint32_t crc = crc32c::Value("foo", 3);
  EXPECT_NE(crc32c::Mask(crc), crc);
  EXPECT_EQ(crc32c::Unmask(crc32c::Mask(crc)), crc);
}

}  // namespace
}  // namespace tracklake
