#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <random>

namespace tracklake {
namespace {

// The escaping rule, byte by byte, as plainly as it can be written.
std::string Reference(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '\b') out += "\\b";
    else if (c == '\f') out += "\\f";
    else if (c < 0x20) out += std::string("\\u00") + kHex[c >> 4] + kHex[c & 0xf];
    else out.push_back(ch);
  }
  return out + "\"";
}

std::string Appended(std::string_view s) {
  std::string out = "x";
  AppendJsonString(out, s);
  return out.substr(1);
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Appended(""), "\"\"");
  EXPECT_EQ(Appended("plain text, long enough for whole words"), "\"plain text, long enough for whole words\"");
  EXPECT_EQ(Appended("a\"b\\c\nd\x01\x1f\x7f ü"), "\"a\\\"b\\\\c\\nd\\u0001\\u001f\x7f ü\"");
}

TEST(JsonWriterTest, EveryByteAtEveryPositionOfAWordMatchesTheReference) {
  for (int c = 0; c < 256; ++c) {
    for (size_t pos = 0; pos < 24; ++pos) {
      std::string s(24, 'a');
      s[pos] = static_cast<char>(c);
      ASSERT_EQ(Appended(s), Reference(s)) << "byte " << c << " at " << pos;
    }
  }
}

TEST(JsonWriterTest, RandomTextMatchesTheReference) {
  std::mt19937 rng(24);
  const std::string alphabet = std::string("abc \"\\\n\t\x01\x1f\xc3\xbc\x80\xff", 14);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 70, ' ');
    for (char& ch : s) ch = rng() % 4 == 0 ? alphabet[rng() % alphabet.size()] : static_cast<char>('a' + rng() % 26);
    ASSERT_EQ(Appended(s), Reference(s)) << s;
  }
}

}  // namespace
}  // namespace tracklake
