#include "encode/parquet/byte_buffer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>

namespace tracklake::parquet {
namespace {

// Every length through the short-copy cases (0-3 bytewise, 4-7 and 8-16 overlapping moves) and
// past them, appended across several growths: the bytes equal what std::string accumulates.
TEST(ByteBufferTest, AppendsEqualAStringOfTheSameAppends) {
  std::mt19937 rng(3);
  ByteBuffer buf;
  std::string expected;
  for (int round = 0; round < 400; ++round) {
    const size_t n = round % 41;
    std::string piece(n, '\0');
    for (char& c : piece) c = static_cast<char>(rng());
    buf.Append(piece.data(), piece.size());
    expected += piece;
    ASSERT_EQ(buf.view(), expected) << "after appending " << n << " bytes in round " << round;
  }
  EXPECT_GT(buf.size(), 4096u);  // grew past the first allocation
}

TEST(ByteBufferTest, LittleEndianIntegersRoundTrip) {
  ByteBuffer buf;
  buf.AppendU32LE(0x04030201u);
  buf.AppendU64LE(0x0807060504030201ull);
  EXPECT_EQ(buf.view(), std::string("\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08", 12));
  EXPECT_EQ(buf.LoadU32LE(0), 0x04030201u);
  EXPECT_EQ(buf.LoadU32LE(4), 0x04030201u);
}

TEST(ByteBufferTest, ClearKeepsNothingAndMoveTakesTheBytes) {
  ByteBuffer a;
  a.Append("hello", 5);
  ByteBuffer b(std::move(a));
  EXPECT_EQ(b.view(), "hello");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is defined as empty
  b.clear();
  EXPECT_TRUE(b.empty());
  b.Append("x", 1);
  EXPECT_EQ(b.view(), "x");
}

}  // namespace
}  // namespace tracklake::parquet
