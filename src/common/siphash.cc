#include "common/siphash.h"

#include <cstring>

namespace tracklake {
namespace {

constexpr uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct State {
  uint64_t v0, v1, v2, v3;

  explicit State(const SipKey& key)
      : v0(key.k0 ^ 0x736f6d6570736575ull),
        v1(key.k1 ^ 0x646f72616e646f6dull),
        v2(key.k0 ^ 0x6c7967656e657261ull),
        v3(key.k1 ^ 0x7465646279746573ull) {}

  void Round() {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
  }
  template <int C>
  void Compress(uint64_t m) {
    v3 ^= m;
    for (int i = 0; i < C; ++i) Round();
    v0 ^= m;
  }
  template <int C, int D>
  uint64_t Finish(uint64_t last) {
    Compress<C>(last);
    v2 ^= 0xff;
    for (int i = 0; i < D; ++i) Round();
    return v0 ^ v1 ^ v2 ^ v3;
  }
};

inline uint64_t LoadLe64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

template <int C, int D>
uint64_t OneShot(const SipKey& key, std::string_view data) {
  State s(key);
  const char* p = data.data();
  size_t n = data.size();
  for (; n >= 8; n -= 8, p += 8) s.Compress<C>(LoadLe64(p));
  uint64_t last = static_cast<uint64_t>(data.size()) << 56;
  for (size_t i = 0; i < n; ++i) last |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return s.Finish<C, D>(last);
}

}  // namespace

template <int C, int D>
BasicSipHasher<C, D>::BasicSipHasher(const SipKey& key) {
  const State s(key);
  v0_ = s.v0;
  v1_ = s.v1;
  v2_ = s.v2;
  v3_ = s.v3;
}

template <int C, int D>
void BasicSipHasher<C, D>::Update(std::string_view data) {
  State s{SipKey{}};
  s.v0 = v0_;
  s.v1 = v1_;
  s.v2 = v2_;
  s.v3 = v3_;
  total_ += data.size();
  const char* p = data.data();
  size_t n = data.size();
  while (tail_bytes_ > 0 && n > 0) {  // finish a partial word first
    tail_ |= static_cast<uint64_t>(static_cast<unsigned char>(*p++)) << (8 * tail_bytes_);
    --n;
    if (++tail_bytes_ == 8) {
      s.Compress<C>(tail_);
      tail_ = 0;
      tail_bytes_ = 0;
    }
  }
  for (; n >= 8; n -= 8, p += 8) s.Compress<C>(LoadLe64(p));
  for (size_t i = 0; i < n; ++i) tail_ |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  tail_bytes_ += n;
  v0_ = s.v0;
  v1_ = s.v1;
  v2_ = s.v2;
  v3_ = s.v3;
}

template <int C, int D>
uint64_t BasicSipHasher<C, D>::Final() {
  State s{SipKey{}};
  s.v0 = v0_;
  s.v1 = v1_;
  s.v2 = v2_;
  s.v3 = v3_;
  return s.Finish<C, D>(tail_ | (total_ << 56));
}

template class BasicSipHasher<2, 4>;
template class BasicSipHasher<1, 3>;

uint64_t SipHash24(const SipKey& key, std::string_view data) { return OneShot<2, 4>(key, data); }
uint64_t SipHash13(const SipKey& key, std::string_view data) { return OneShot<1, 3>(key, data); }

}  // namespace tracklake
