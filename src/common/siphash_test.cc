#include "common/siphash.h"

#include <gtest/gtest.h>

#include <string>

namespace tracklake {
namespace {

// The reference vectors (veorq/SipHash vectors.h, vectors_sip64): key 00 01 .. 0f, message i =
// bytes 00 .. i-1; the output is little-endian in the reference, read here as a uint64.
const SipKey kReferenceKey{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

std::string Message(size_t n) {
  std::string m;
  for (size_t i = 0; i < n; ++i) m.push_back(static_cast<char>(i));
  return m;
}

TEST(SipHash, MatchesTheReferenceVectors) {
  const std::pair<size_t, uint64_t> vectors[] = {
      {0, 0x726fdb47dd0e0e31ull}, {1, 0x74f839c593dc67fdull}, {2, 0x0d6c8009d9a94f5aull},  {3, 0x85676696d7fb7e2dull},
      {4, 0xcf2794e0277187b7ull}, {5, 0x18765564cd99a68dull}, {6, 0xcbc9466e58fee3ceull},  {7, 0xab0200f58b01d137ull},
      {8, 0x93f5f5799a932462ull}, {9, 0x9e0082df0ba9e4b0ull}, {15, 0xa129ca6149be45e5ull},
  };
  for (const auto& [n, want] : vectors) EXPECT_EQ(SipHash24(kReferenceKey, Message(n)), want) << n;
}

// SipHash-1-3 as CPython 3.11+ computes hash(bytes) with PYTHONHASHSEED=0 (key all zeros,
// sys.hash_info.algorithm == "siphash13"): PYTHONHASHSEED=0 python3 -c "print(hex(hash(bytes(range(n)))
// & 0xffffffffffffffff))".
TEST(SipHash, OneThreeMatchesCPythonsBytesHash) {
  const std::pair<size_t, uint64_t> vectors[] = {
      {1, 0x68a914128e01e473ull},  {7, 0x2f098ab0c751325aull},  {8, 0xead411e67ebe2eeaull},
      {9, 0x75927f9d95124362ull},  {15, 0xf30eb725bb91c9eaull}, {16, 0x8972188433a5c5b7ull},
      {17, 0x4883c49a2c009c1dull}, {49, 0x23cece041d7866b0ull},
  };
  for (const auto& [n, want] : vectors) EXPECT_EQ(SipHash13(SipKey{0, 0}, Message(n)), want) << n;
}

template <class Hasher>
void ExpectStreamingEqualsOneShot(uint64_t (*one_shot)(const SipKey&, std::string_view)) {
  const std::string m = Message(40);
  const uint64_t whole = one_shot(kReferenceKey, m);
  for (size_t a = 0; a <= m.size(); ++a) {
    for (size_t b = a; b <= m.size(); b += 3) {
      Hasher h(kReferenceKey);
      h.Update(std::string_view(m).substr(0, a));
      h.Update(std::string_view(m).substr(a, b - a));
      h.Update(std::string_view(m).substr(b));
      ASSERT_EQ(h.Final(), whole) << a << " " << b;
    }
  }
}

TEST(SipHash, StreamingEqualsOneShotForEverySplit) {
  ExpectStreamingEqualsOneShot<SipHasher24>(&SipHash24);
  ExpectStreamingEqualsOneShot<SipHasher13>(&SipHash13);
}

TEST(SipHash, TheKeyChangesTheOutput) {
  EXPECT_NE(SipHash24(kReferenceKey, "event"), SipHash24(SipKey{1, 2}, "event"));
  EXPECT_NE(SipHash13(kReferenceKey, "event"), SipHash13(SipKey{1, 2}, "event"));
}

}  // namespace
}  // namespace tracklake
