#include "encode/parquet/rle_bp.h"

#include <algorithm>

namespace tracklake::parquet {
namespace {

constexpr size_t kGroupSize = 8;     // bit-packed runs are made of groups of 8 values
constexpr size_t kMinRleRun = 8;     // shorter repeats are cheaper bit-packed
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

// Packs values[0..count) (count a multiple of 8, padded by the caller) LSB first.
void PutBitPacked(std::string& out, const uint32_t* values, size_t count, int bit_width) {
  PutVarint(out, ((count / kGroupSize) << 1) | 1);
  uint64_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < count; ++i) {
    acc |= static_cast<uint64_t>(values[i]) << bits;
    bits += bit_width;
    while (bits >= 8) {
      out.push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  // count is a multiple of 8, so count * bit_width is a whole number of bytes: bits == 0 here.
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
  // run[i]: how many values equal to values[i] follow from i on (inclusive).
  std::vector<uint32_t> run(count);
  for (size_t i = count; i-- > 0;) {
    run[i] = (i + 1 < count && values[i + 1] == values[i]) ? run[i + 1] + 1 : 1;
  }
  std::vector<uint32_t> group;
  size_t i = 0;
  while (i < count) {
    if (run[i] >= kMinRleRun) {
      PutRleRun(out, values[i], run[i], bit_width);
      i += run[i];
      continue;
    }
    // Bit-pack until a long run starts on a group boundary (a long run that starts off the
    // boundary is partly absorbed; its rest still becomes an RLE run).
    size_t j = i;
    while (j < count && !((j - i) % kGroupSize == 0 && j > i && run[j] >= kMinRleRun)) ++j;
    group.assign(values + i, values + j);
    group.resize((group.size() + kGroupSize - 1) / kGroupSize * kGroupSize, 0);
    PutBitPacked(out, group.data(), group.size(), bit_width);
    i = j;
  }
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
