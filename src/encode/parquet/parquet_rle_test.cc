#include <gtest/gtest.h>

#include <random>

#include "encode/parquet/rle_bp.h"

namespace tracklake::parquet {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<uint32_t> RoundTrip(const std::vector<uint32_t>& values, int width) {
  std::string encoded;
  EncodeRleBp(values, width, encoded);
  std::vector<uint32_t> decoded;
  EXPECT_TRUE(DecodeRleBp(encoded, width, values.size(), decoded));
  return decoded;
}

TEST(RleBpTest, BitWidthIsBitsOfMaxValue) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(3), 2);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
}

// Encodings.md: values 0..7 bit-packed with width 3 are 10001000 11000110 11111010.
TEST(RleBpTest, BitPackedGroupMatchesSpecExample) {
  std::string out;
  EncodeRleBp(std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}, 3, out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x03, 0x88, 0xC6, 0xFA}));
}

TEST(RleBpTest, LongRepeatBecomesRleRun) {
  std::string out;
  EncodeRleBp(std::vector<uint32_t>(10, 5), 3, out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{10 << 1, 0x05}));
  out.clear();
  EncodeRleBp(std::vector<uint32_t>(300, 1), 9, out);  // varint count, 2-byte value
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0xD8, 0x04, 0x01, 0x00}));
}

TEST(RleBpTest, ShortTailIsZeroPaddedToAGroup) {
  std::string out;
  EncodeRleBp(std::vector<uint32_t>{1, 0, 1}, 1, out);
  EXPECT_EQ(Bytes(out), (std::vector<uint8_t>{0x03, 0x05}));
}

TEST(RleBpTest, MixedRunsRoundTripAndUseRleForTheLongRun) {
  std::vector<uint32_t> v = {1, 2, 3};
  v.insert(v.end(), 100, 7);
  v.push_back(0);
  EXPECT_EQ(RoundTrip(v, 3), v);
  std::string out;
  EncodeRleBp(v, 3, out);
  // One 8-value group (1+3 bytes), an RLE run of 95 (2+1), a final group (1+3); all
  // bit-packed would take 40.
  EXPECT_EQ(out.size(), 11u);
}

TEST(RleBpTest, RandomValuesRoundTripAtEveryWidth) {
  std::mt19937 rng(42);
  for (int width = 1; width <= kMaxRleBitWidth; ++width) {
    const uint64_t max = width == 32 ? UINT32_MAX : (1ull << width) - 1;
    std::vector<uint32_t> v;
    for (int i = 0; i < 1000; ++i) {
      const uint32_t x = static_cast<uint32_t>(rng() & max);
      v.insert(v.end(), rng() % 3 == 0 ? rng() % 20 + 1 : 1, x);
    }
    EXPECT_EQ(RoundTrip(v, width), v) << "width " << width;
  }
}

TEST(RleBpTest, ZeroWidthRoundTrips) {
  std::vector<uint32_t> v(13, 0);
  EXPECT_EQ(RoundTrip(v, 0), v);
}

TEST(RleBpTest, DecoderRejectsMalformedInput) {
  std::vector<uint32_t> out;
  EXPECT_FALSE(DecodeRleBp("", 1, 1, out));                            // empty
  EXPECT_FALSE(DecodeRleBp(std::string("\x03", 1), 3, 8, out));        // bit-packed group truncated
  EXPECT_FALSE(DecodeRleBp(std::string("\x14\x09", 2), 3, 10, out));   // 9 does not fit 3 bits
  EXPECT_FALSE(DecodeRleBp(std::string("\x14\x01", 2), 33, 10, out));  // width out of range
  EXPECT_FALSE(DecodeRleBp(std::string("\x14\x01", 2), 3, 11, out));   // fewer values than asked
  EXPECT_FALSE(DecodeRleBp(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11), 3, 1, out));
}

TEST(RleBpTest, DecoderStopsAtRequestedCount) {
  std::vector<uint32_t> out;
  // An RLE run of 1000 values, but only 4 are asked for.
  EXPECT_TRUE(DecodeRleBp(std::string("\xD0\x0F\x02", 3), 2, 4, out));
  EXPECT_EQ(out, (std::vector<uint32_t>{2, 2, 2, 2}));
}

// Levels are kept a byte each: the byte overload must encode exactly what the 32-bit one does
// (runs, mixed groups, a partial last group) for every level width up to 8 bits.
TEST(RleBpTest, ByteLevelsEncodeLikeThirtyTwoBitValues) {
  std::mt19937 rng(7);
  for (int width = 1; width <= 8; ++width) {
    std::vector<uint32_t> wide;
    for (int i = 0; i < 1000; ++i) {
      const uint32_t v = rng() % (1u << width);
      const int repeat = rng() % 4 == 0 ? 1 + static_cast<int>(rng() % 20) : 1;
      for (int r = 0; r < repeat; ++r) wide.push_back(v);
    }
    const std::vector<uint8_t> narrow(wide.begin(), wide.end());
    std::string a, b;
    EncodeRleBp(wide, width, a);
    EncodeRleBp(narrow, width, b);
    EXPECT_EQ(a, b) << "width " << width;
    EXPECT_EQ(RoundTrip(wide, width), wide);
  }
}

}  // namespace
}  // namespace tracklake::parquet
