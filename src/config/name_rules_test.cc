#include "config/name_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace tracklake::config_internal {
namespace {

TEST(CheckId, AcceptsLettersDigitsDotDashUnderscoreUpTo64) {
  EXPECT_FALSE(CheckId("collector-1.eu_west"));
  EXPECT_FALSE(CheckId(std::string(64, 'a')));
}

TEST(CheckId, RejectsEmptyTooLongPathCharactersAndDotNames) {
  EXPECT_TRUE(CheckId(""));
  EXPECT_TRUE(CheckId(std::string(65, 'a')));
  EXPECT_TRUE(CheckId("a/b"));
  EXPECT_TRUE(CheckId("a b"));
  EXPECT_TRUE(CheckId(".."));
  EXPECT_NE(CheckId("a/b")->find("[A-Za-z0-9_.-]{1,64}"), std::string::npos);
}

TEST(CheckEventType, AllowsOnlyLowerCaseDigitsAndUnderscore) {
  EXPECT_FALSE(CheckEventType("page_view2"));
  EXPECT_TRUE(CheckEventType("PageView"));
  EXPECT_TRUE(CheckEventType("page-view"));
  EXPECT_TRUE(CheckEventType(std::string(65, 'a')));
}

TEST(CheckEventType, NamesStartingWithAnUnderscoreAreTracklakes) {
  EXPECT_EQ(CheckEventType("_rejected"), "must not start with _ (reserved for tracklake, e.g. _rejected)");
  EXPECT_TRUE(CheckEventType("_"));
  EXPECT_FALSE(CheckEventType("a_"));
}

TEST(CheckColumn, MustStartWithLetterOrUnderscoreAndFit128) {
  EXPECT_FALSE(CheckColumn("_utm.source-x"));
  EXPECT_FALSE(CheckColumn("a" + std::string(127, 'b')));
  EXPECT_TRUE(CheckColumn("a" + std::string(128, 'b')));
  EXPECT_TRUE(CheckColumn("1st"));
  EXPECT_TRUE(CheckColumn("a b"));
  EXPECT_TRUE(CheckColumn(""));
}

TEST(CheckListen, AcceptsHostPortAndBracketedIpv6) {
  EXPECT_FALSE(CheckListen("127.0.0.1:8080"));
  EXPECT_FALSE(CheckListen("localhost:0"));
  EXPECT_FALSE(CheckListen("[::1]:443"));
  EXPECT_FALSE(CheckListen("0.0.0.0:65535"));
}

TEST(CheckListen, RejectsMissingHostOrPortAndPortsAbove65535) {
  EXPECT_TRUE(CheckListen("8080"));
  EXPECT_TRUE(CheckListen(":8080"));
  EXPECT_TRUE(CheckListen("host:"));
  EXPECT_TRUE(CheckListen("host:65536"));
  EXPECT_TRUE(CheckListen("host:80x"));
  EXPECT_TRUE(CheckListen("ho st:80"));
  EXPECT_TRUE(CheckListen("::1:80"));
  EXPECT_NE(CheckListen("host:99999")->find("port"), std::string::npos);
}

TEST(CheckSha256Hex, Needs64HexDigitsAndExplainsTheMask) {
  EXPECT_FALSE(CheckSha256Hex(std::string(64, 'a')));
  EXPECT_FALSE(CheckSha256Hex(std::string(64, 'F')));
  EXPECT_TRUE(CheckSha256Hex(std::string(63, 'a')));
  EXPECT_TRUE(CheckSha256Hex(std::string(64, 'g')));
  ASSERT_TRUE(CheckSha256Hex("***"));
  EXPECT_NE(CheckSha256Hex("***")->find("masked"), std::string::npos);
}

TEST(HexToBytes, DecodesEitherCase) { EXPECT_EQ(HexToBytes("00ffA0"), std::string("\x00\xff\xa0", 3)); }

}  // namespace
}  // namespace tracklake::config_internal
