#include "config/option_value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tracklake::config_internal {
namespace {

using ::testing::HasSubstr;

TEST(ParseByteSize, AcceptsPlainIntegersAndBinaryUnits) {
  EXPECT_EQ(ParseByteSize("1000").value(), 1000u);
  EXPECT_EQ(ParseByteSize("10B").value(), 10u);
  EXPECT_EQ(ParseByteSize("512KiB").value(), 512u * 1024);
  EXPECT_EQ(ParseByteSize("64MiB").value(), 64u << 20);
  EXPECT_EQ(ParseByteSize("64 MiB").value(), 64u << 20);
  EXPECT_EQ(ParseByteSize("1GiB").value(), 1ull << 30);
  EXPECT_EQ(ParseByteSize("2TiB").value(), 2ull << 40);
}

TEST(ParseByteSize, RejectsDecimalUnitsNamingTheAllowedOnes) {
  Result<uint64_t> r = ParseByteSize("64MB");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("unknown unit \"MB\""));
  EXPECT_THAT(r.status().message(), HasSubstr("MiB"));
}

TEST(ParseByteSize, RejectsEmptyMissingNumberAndOverflow) {
  EXPECT_FALSE(ParseByteSize("").ok());
  EXPECT_FALSE(ParseByteSize("MiB").ok());
  EXPECT_FALSE(ParseByteSize("-5").ok());
  EXPECT_FALSE(ParseByteSize("99999999999TiB").ok());
  EXPECT_FALSE(ParseByteSize("99999999999999999999999").ok());
}

TEST(FormatByteSize, UsesLargestExactUnit) {
  EXPECT_EQ(FormatByteSize(64u << 20), "64MiB");
  EXPECT_EQ(FormatByteSize(1536u << 20), "1536MiB");
  EXPECT_EQ(FormatByteSize(1ull << 30), "1GiB");
  EXPECT_EQ(FormatByteSize(1000), "1000B");
  EXPECT_EQ(FormatByteSize(0), "0B");
}

TEST(FormatByteSize, OutputParsesBackToTheSameNumber) {
  for (uint64_t n : {1ull, 1000ull, 1024ull, 3ull << 20, 5ull << 40, 123456789ull}) {
    EXPECT_EQ(ParseByteSize(FormatByteSize(n)).value(), n) << n;
  }
}

TEST(QuoteToml, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(QuoteToml("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
}

TEST(TomlKey, QuotesKeysThatAreNotBare) {
  EXPECT_EQ(TomlKey("my_app-1"), "my_app-1");
  EXPECT_EQ(TomlKey("my.app"), "\"my.app\"");
}

TEST(ValueFromText, ParsesEachTypeAndRejectsGarbage) {
  OptionSpec boolean;
  boolean.type = OptionType::kBool;
  EXPECT_EQ(ValueFromText(boolean, "true").value(), OptionValue(true));
  EXPECT_EQ(ValueFromText(boolean, "0").value(), OptionValue(false));
  EXPECT_FALSE(ValueFromText(boolean, "yes").ok());

  OptionSpec integer;
  integer.type = OptionType::kInteger;
  EXPECT_EQ(ValueFromText(integer, "-12").value(), OptionValue(int64_t{-12}));
  EXPECT_FALSE(ValueFromText(integer, "12x").ok());
  EXPECT_FALSE(ValueFromText(integer, "").ok());

  OptionSpec bytes;
  bytes.type = OptionType::kBytes;
  EXPECT_EQ(ValueFromText(bytes, "2KiB").value(), OptionValue(int64_t{2048}));
  EXPECT_FALSE(ValueFromText(bytes, "16EiB").ok());

  OptionSpec list;
  list.type = OptionType::kStringList;
  EXPECT_FALSE(ValueFromText(list, "a,b").ok());
}

TEST(CheckValue, BoundsErrorShowsBoundsInTheOptionsUnitAndTheReason) {
  OptionSpec age;
  age.type = OptionType::kSeconds;
  age.min = 1;
  age.max = 3600;
  age.bounds_reason = "why";
  EXPECT_TRUE(CheckValue(age, int64_t{3600}).ok());
  EXPECT_EQ(CheckValue(age, int64_t{0}).message(), "must be between 1 and 3600 seconds (why)");
  OptionSpec bytes;
  bytes.type = OptionType::kBytes;
  bytes.min = 1 << 20;
  bytes.max = 1 << 30;
  EXPECT_EQ(CheckValue(bytes, int64_t{1}).message(), "must be between 1MiB and 1GiB");
}

TEST(CheckValue, EnumMustBeAnAllowedName) {
  OptionSpec mode;
  mode.type = OptionType::kEnum;
  mode.allowed = {"a", "b"};
  EXPECT_TRUE(CheckValue(mode, std::string("b")).ok());
  EXPECT_EQ(CheckValue(mode, std::string("c")).message(), "must be one of \"a\", \"b\"");
}

}  // namespace
}  // namespace tracklake::config_internal
