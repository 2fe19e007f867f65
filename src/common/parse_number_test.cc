#include "common/parse_number.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tracklake {
namespace {

TEST(ParseDecimal, TakesTheWholeTextWithinTheTypesRange) {
  EXPECT_EQ(ParseDecimal<uint64_t>("0"), 0u);
  EXPECT_EQ(ParseDecimal<uint64_t>("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseDecimal<uint16_t>("65535"), 65535);
  EXPECT_EQ(ParseDecimal<int64_t>("-42"), -42);
  EXPECT_EQ(ParseDecimal<uint64_t>("00000000000000000007"), 7u);
}

TEST(ParseDecimal, RefusesWhatStoiWouldThrowOnOrAtoiWouldReadAsZero) {
  for (std::string_view bad : {"", " 1", "1 ", "+1", "1x", "x", "0x10", "1e3", "1.5", "-"}) {
    EXPECT_FALSE(ParseDecimal<int64_t>(bad)) << bad;
    EXPECT_FALSE(ParseDecimal<uint64_t>(bad)) << bad;
  }
  EXPECT_FALSE(ParseDecimal<uint64_t>("18446744073709551616"));
  EXPECT_FALSE(ParseDecimal<uint64_t>("99999999999999999999"));
  EXPECT_FALSE(ParseDecimal<uint64_t>("-1"));
  EXPECT_FALSE(ParseDecimal<uint16_t>("65536"));
  EXPECT_FALSE(ParseDecimal<int>("2147483648"));
}

}  // namespace
}  // namespace tracklake
