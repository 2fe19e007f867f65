#include "common/gzip.h"

#include <gtest/gtest.h>

#include "common/json_writer.h"

namespace tracklake {
namespace {

TEST(Gzip, RoundTripsAcrossChunks) {
  std::string packed;
  GzipWriter w(packed);
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
  ASSERT_TRUE(w.Write(text.substr(0, 1000)).ok());
  ASSERT_TRUE(w.Write(text.substr(1000)).ok());
  ASSERT_TRUE(w.Finish().ok());
  std::string back;
  ASSERT_TRUE(GunzipBounded(packed, text.size(), back).ok());
  EXPECT_EQ(back, text);
}

TEST(Gzip, BombStopsAtTheBound) {
  std::string packed;
  GzipWriter w(packed);
  ASSERT_TRUE(w.Write(std::string(10 << 20, '\0')).ok());
  ASSERT_TRUE(w.Finish().ok());
  std::string back;
  Status s = GunzipBounded(packed, 1 << 20, back);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_LE(back.size(), (1u << 20) + 1);
}

TEST(Gzip, OnlyABombIsRefusedAsTooLarge) {
  std::string packed;
  GzipWriter w(packed);
  ASSERT_TRUE(w.Write(std::string(1000, 'x')).ok());
  ASSERT_TRUE(w.Finish().ok());
  std::string back;
  EXPECT_EQ(GunzipBounded(packed, 999, back).reason(), Status::Reason::kTooLarge);
  EXPECT_EQ(GunzipBounded(packed, 1000, back).reason(), Status::Reason::kNone);
  EXPECT_EQ(GunzipBounded("not gzip at all", 100, back).reason(), Status::Reason::kNone);
  EXPECT_EQ(GunzipBounded(packed.substr(0, packed.size() - 6), 1000, back).reason(), Status::Reason::kNone);
}

TEST(Gzip, GarbageAndTruncationAreInvalid) {
  std::string back;
  EXPECT_FALSE(GunzipBounded("not gzip at all", 100, back).ok());
  std::string packed;
  GzipWriter w(packed);
  ASSERT_TRUE(w.Write("hello hello hello").ok());
  ASSERT_TRUE(w.Finish().ok());
  EXPECT_FALSE(GunzipBounded(packed.substr(0, packed.size() - 6), 100, back).ok());
}

TEST(JsonWriter, EscapesControlsQuotesAndBackslashes) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\n\x01\0z", 9));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\\u0000z\"");
}

TEST(JsonWriter, Base64RoundTrips) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "\xff\x00\x80"}) {
    std::string back;
    ASSERT_TRUE(Base64Decode(Base64Encode(s), back));
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace tracklake
