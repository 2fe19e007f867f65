#include "common/hex.h"

#include <gtest/gtest.h>

namespace tracklake {
namespace {

TEST(Hex, EncodesEveryByteAsTwoLowerCaseDigits) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x0f\x10\xab\xff", 5)), "000f10abff");
  std::string upper;
  AppendHexByte(upper, 0xab, /*upper=*/true);
  EXPECT_EQ(upper, "AB");
}

TEST(Hex, ReadsDigitsOfEitherCaseAndRefusesOthers) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  for (char c : std::string_view("gG/:@`\x00 ", 8)) EXPECT_EQ(HexDigitValue(c), -1) << static_cast<int>(c);
  for (int b = 0; b < 256; ++b) {
    std::string two;
    AppendHexByte(two, static_cast<unsigned char>(b));
    EXPECT_EQ(HexDigitValue(two[0]) * 16 + HexDigitValue(two[1]), b);
  }
}

TEST(Hex, PercentDecodingKeepsMalformedEscapesAndTurnsPlusIntoSpaceOnlyWhenAsked) {
  std::string out;
  AppendPercentDecoded(out, "%E1%88%B4=x%3d", false);
  EXPECT_EQ(out, "\xE1\x88\xB4=x=");
  out.clear();
  AppendPercentDecoded(out, "100%|%zz%4|%4", false);
  EXPECT_EQ(out, "100%|%zz%4|%4");
  out = "kept:";
  AppendPercentDecoded(out, "a+b%2B", true);
  EXPECT_EQ(out, "kept:a b+");
  out.clear();
  AppendPercentDecoded(out, "a+b", false);
  EXPECT_EQ(out, "a+b");
}

}  // namespace
}  // namespace tracklake
