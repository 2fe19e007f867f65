#include "common/sha256.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace tracklake {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// FIPS 180-2 examples; the context is reused from one call to the next and per thread.
TEST(Sha256, MatchesTheStandardVectorsAcrossCallsAndThreads) {
  auto check = [] {
    for (int round = 0; round < 2; ++round) {
      EXPECT_EQ(Hex(Sha256Bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      EXPECT_EQ(Hex(Sha256Bytes("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      EXPECT_EQ(Hex(Sha256Bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
      EXPECT_EQ(Hex(Sha256Bytes(std::string(1'000'000, 'a'))),
                "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
  };
  check();
  std::thread(check).join();
}

}  // namespace
}  // namespace tracklake
