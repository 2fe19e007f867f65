// The RLE / bit-packing hybrid of Parquet's Encodings.md, used for definition and repetition
// levels and for dictionary indices. Pure functions, thread-safe.
//
// The encoding here has no length prefix; data page v1 levels add a 4-byte little-endian
// length in front (see AppendLengthPrefixed in the column writer) and dictionary indices a
// leading bit-width byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tracklake::parquet {

inline constexpr int kMaxRleBitWidth = 32;

// Number of bits needed to represent max_value (0 for 0).
int BitWidth(uint64_t max_value);

// Appends values (each < 2^bit_width) encoded with the hybrid: runs of >= 8 equal values
// become RLE runs, everything else bit-packed groups of 8 (the last group zero-padded).
void EncodeRleBp(const uint32_t* values, size_t count, int bit_width, std::string& out);
inline void EncodeRleBp(const std::vector<uint32_t>& values, int bit_width, std::string& out) {
  EncodeRleBp(values.data(), values.size(), bit_width, out);
}
// The same for levels, which never exceed 255 (a byte each keeps the column writer's level
// buffers a quarter of the size). REQUIRES bit_width <= 8.
void EncodeRleBp(const uint8_t* values, size_t count, int bit_width, std::string& out);
inline void EncodeRleBp(const std::vector<uint8_t>& values, int bit_width, std::string& out) {
  EncodeRleBp(values.data(), values.size(), bit_width, out);
}

// Decodes exactly `count` values from in, appending them to out. Returns false when in is
// malformed or too short, bit_width is out of range, or a value does not fit bit_width.
// Padding values of a final bit-packed group beyond `count` are ignored.
bool DecodeRleBp(std::string_view in, int bit_width, size_t count, std::vector<uint32_t>& out);

}  // namespace tracklake::parquet
