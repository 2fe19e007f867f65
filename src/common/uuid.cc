#include "common/uuid.h"

#include <random>

#include "common/hex.h"

namespace tracklake {
namespace {

// splitmix64-seeded xorshift: fast and plenty for ids that need uniqueness, not secrecy.
struct Rng {
  uint64_t s;
  Rng() {
    std::random_device rd;
    s = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ull;
  }
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

}  // namespace

void AppendUuidV7(std::string& out, int64_t ms) {
  thread_local Rng rng;
  unsigned char b[16];
  const auto t = static_cast<uint64_t>(ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(t >> (40 - 8 * i));
  const uint64_t r1 = rng.Next();
  const uint64_t r2 = rng.Next();
  for (int i = 0; i < 2; ++i) b[6 + i] = static_cast<unsigned char>(r1 >> (8 * i));
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<unsigned char>(r2 >> (8 * i));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x70);  // version 7
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // variant 10
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    AppendHexByte(out, b[i]);
  }
}

}  // namespace tracklake
