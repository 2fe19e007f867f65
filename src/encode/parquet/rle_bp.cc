#include "encode/parquet/rle_bp.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace tracklake::parquet {
namespace {

constexpr size_t kGroupSize = 8;  // bit-packed runs are made of groups of 8 values
constexpr size_t kMinRleRun = 8;  // shorter repeats are cheaper bit-packed
constexpr int kMaxVarintShift = 63;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view in, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift <= kMaxVarintShift && pos < in.size(); shift += 7) {
    const auto b = static_cast<uint8_t>(in[pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

size_t ByteWidth(int bit_width) { return static_cast<size_t>(bit_width + 7) / 8; }

void PutRleRun(std::string& out, uint32_t value, size_t count, int bit_width) {
  PutVarint(out, static_cast<uint64_t>(count) << 1);
  for (size_t i = 0; i < ByteWidth(bit_width); ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

// Whether values[i..i+kMinRleRun) exist and are all equal: where an RLE run may start.
template <typename T>
bool LongRunAt(const T* values, size_t count, size_t i) {
  if (count - i < kMinRleRun) return false;
  for (size_t k = 1; k < kMinRleRun; ++k) {
    if (values[i + k] != values[i]) return false;
  }
  return true;
}

// Packs values[begin..end) LSB first as whole groups of 8, zero-padding the last group.
template <typename T>
void PutBitPacked(std::string& out, const T* values, size_t begin, size_t end, int bit_width) {
  static_assert(std::endian::native == std::endian::little, "the byte stores below assume little-endian");
  constexpr int kFlushBits = 32;
  const size_t groups = (end - begin + kGroupSize - 1) / kGroupSize;
  PutVarint(out, (groups << 1) | 1);
  // A group of 8 values of bit_width bits is exactly bit_width bytes.
  char buf[kMaxRleBitWidth + sizeof(uint64_t)];
  for (size_t g = 0; g < groups; ++g) {
    const size_t first = begin + g * kGroupSize;
    uint64_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (size_t k = 0; k < kGroupSize; ++k) {
      const size_t i = first + k;
      acc |= static_cast<uint64_t>(i < end ? values[i] : 0) << bits;
      bits += bit_width;
      // Stores 32 bits at a time: acc never holds more than 32 + 32 bits.
      if (bits >= kFlushBits) {
        const auto word = static_cast<uint32_t>(acc);
        std::memcpy(buf + n, &word, sizeof word);
        n += sizeof word;
        acc >>= kFlushBits;
        bits -= kFlushBits;
      }
    }
    // 8 * bit_width bits is a whole number of bytes, so what is left is too.
    std::memcpy(buf + n, &acc, sizeof acc);
    n += static_cast<size_t>(bits) / 8;
    out.append(buf, n);
  }
}

template <typename T>
void EncodeRleBpImpl(const T* values, size_t count, int bit_width, std::string& out) {
  size_t i = 0;
  while (i < count) {
    if (LongRunAt(values, count, i)) {
      size_t j = i + kMinRleRun;
      while (j < count && values[j] == values[i]) ++j;
      PutRleRun(out, values[i], j - i, bit_width);
      i = j;
      continue;
    }
    // Bit-pack until a long run starts on a group boundary (a long run that starts off the
    // boundary is partly absorbed; its rest still becomes an RLE run).
    size_t j = std::min(count, i + kGroupSize);
    while (j < count && !LongRunAt(values, count, j)) j = std::min(count, j + kGroupSize);
    PutBitPacked(out, values, i, j, bit_width);
    i = j;
  }
}

}  // namespace

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value != 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void EncodeRleBp(const uint32_t* values, size_t count, int bit_width, std::string& out) {
  EncodeRleBpImpl(values, count, bit_width, out);
}

void EncodeRleBp(const uint8_t* values, size_t count, int bit_width, std::string& out) {
  EncodeRleBpImpl(values, count, bit_width, out);
}

bool DecodeRleBp(std::string_view in, int bit_width, size_t count, std::vector<uint32_t>& out) {
  if (bit_width < 0 || bit_width > kMaxRleBitWidth) return false;
  const uint64_t max_value = bit_width == kMaxRleBitWidth ? UINT32_MAX : (1ull << bit_width) - 1;
  size_t pos = 0;
  size_t remaining = count;
  while (remaining > 0) {
    uint64_t header;
    if (!GetVarint(in, pos, header)) return false;
    if ((header & 1) == 0) {
      const uint64_t n = header >> 1;
      const size_t width = ByteWidth(bit_width);
      if (n == 0 || in.size() - pos < width) return false;
      uint64_t value = 0;
      for (size_t b = 0; b < width; ++b) value |= static_cast<uint64_t>(static_cast<uint8_t>(in[pos + b])) << (8 * b);
      pos += width;
      if (value > max_value) return false;
      const size_t take = static_cast<size_t>(std::min<uint64_t>(n, remaining));
      out.insert(out.end(), take, static_cast<uint32_t>(value));
      remaining -= take;
    } else {
      const uint64_t groups = header >> 1;
      // A group of width w takes w bytes; the check also keeps groups * w from overflowing.
      if (groups == 0 || (bit_width > 0 && groups > in.size() - pos)) return false;
      const uint64_t bytes = groups * static_cast<uint64_t>(bit_width);
      if (bytes > in.size() - pos) return false;
      const uint64_t values = groups * kGroupSize;
      uint64_t acc = 0;
      int bits = 0;
      size_t p = pos;
      for (uint64_t v = 0; v < values && remaining > 0; ++v) {
        while (bits < bit_width) {
          acc |= static_cast<uint64_t>(static_cast<uint8_t>(in[p++])) << bits;
          bits += 8;
        }
        out.push_back(static_cast<uint32_t>(acc & max_value));
        acc >>= bit_width;
        bits -= bit_width;
        --remaining;
      }
      pos += bytes;
    }
  }
  return true;
}

}  // namespace tracklake::parquet
